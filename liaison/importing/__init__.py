"""Spreadsheet import and export of rosters (issue 5): the API the import page builds on.

Reading and checking (writes nothing)::

    from liaison import importing
    plan = importing.plan_roster(data, file_name="花名册.xlsx", user=request.user, sheet=None)
    plan.report.as_dict()   # counts new/updated/unchanged/error rows, every error, notices

Writing (one audited transaction; all or nothing unless ``valid_rows_only=True``)::

    from liaison import services
    services.import_roster(actor=user, plan=plan, file_name=..., sha256=..., valid_rows_only=False)

The clerk's page works through an :class:`~liaison.models.ImportJob`::

    job = services.create_import_job(actor=user, data=upload.read(), file_name=upload.name)
    tasks.run_import.delay(job.pk, confirm=False)      # preview → job.status "previewed"
    importing.job_progress(job)                        # {"done", "total", "status", ...}, poll it
    tasks.run_import.delay(job.pk, confirm=True, valid_rows_only=False)   # import

The preview keeps its cell-checked rows beside the stored file (``keep.save_checked``,
signed, tied to the file's SHA-256, the sheet, the day and the language); the confirm
step loads them (``keep.load_checked``) instead of reading the file again and passes
them to ``plan_roster``, which checks every row against the database and the user's
scope again.

``check_upload`` (safety) raises ``UnsafeFile``; ``read_table`` raises ``ReadError``;
``export_roster`` writes the roster back to .xlsx with the same headers.
"""

from .cells import CellError, category_label_list, kind_label_list
from .export import export_roster, roster_rows, safe_cell
from .plan import (
    ROSTER_ALIASES,
    ROSTER_COLUMNS,
    ROSTER_HEADERS,
    RosterPlan,
    RosterReport,
    RowError,
)
from .progress import job_progress, report_progress
from .reader import ReadError, Table, read_table
from .roster import plan_roster, read_roster
from .safety import UnsafeFile, assert_defused, check_upload, max_upload_bytes

__all__ = [
    "CellError",
    "ROSTER_ALIASES",
    "ROSTER_COLUMNS",
    "ROSTER_HEADERS",
    "ReadError",
    "RosterPlan",
    "RosterReport",
    "RowError",
    "Table",
    "UnsafeFile",
    "assert_defused",
    "category_label_list",
    "check_upload",
    "export_roster",
    "job_progress",
    "kind_label_list",
    "max_upload_bytes",
    "plan_roster",
    "read_roster",
    "read_table",
    "report_progress",
    "roster_rows",
    "safe_cell",
]
