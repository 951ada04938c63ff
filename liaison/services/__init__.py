"""Writes to people and their links. Each is one audited transaction.

Split by responsibility; everything is re-exported here, so callers keep writing
``from liaison import services`` and ``services.record_visit(...)``.
"""

from ._base import HOUSEHOLD_LEVELS, LiaisonError, ensure_user
from .bulk import bulk_pair, bulk_register_households, prepared_household
from .commitments import add_commitment, set_commitment_status
from .households import (
    checked_id_number,
    checked_mobile,
    find_household_by_id_number,
    initials,
    register_household,
    reveal_household_identity,
    update_household,
)
from .import_jobs import (
    claim_import_job,
    create_import_job,
    discard_import_job,
    fail_import_job,
    fail_stalled_imports,
    import_through_resource,
    job_file_path,
    overdue_import_jobs,
    purge_import_files,
    queue_import_attempt,
    record_import_preview,
    record_pii_export,
)
from .imports import import_roster
from .people import assign_responsibility, end_pairing, pair_household, register_cadre
from .visits import record_visit

# Public helpers that write nothing (shared with the roster importer and forms).
READS = (
    "checked_id_number",
    "checked_mobile",
    "initials",
    "find_household_by_id_number",
    "prepared_household",
    "job_file_path",
    "overdue_import_jobs",
)

__all__ = [
    "HOUSEHOLD_LEVELS",
    "LiaisonError",
    "discard_import_job",
    "add_commitment",
    "assign_responsibility",
    "bulk_pair",
    "bulk_register_households",
    "checked_id_number",
    "checked_mobile",
    "end_pairing",
    "ensure_user",
    "find_household_by_id_number",
    "initials",
    "pair_household",
    "prepared_household",
    "record_visit",
    "register_cadre",
    "register_household",
    "reveal_household_identity",
    "set_commitment_status",
    "update_household",
    "claim_import_job",
    "queue_import_attempt",
    "create_import_job",
    "fail_import_job",
    "fail_stalled_imports",
    "overdue_import_jobs",
    "import_roster",
    "import_through_resource",
    "job_file_path",
    "overdue_import_jobs",
    "purge_import_files",
    "record_import_preview",
    "record_pii_export",
]
