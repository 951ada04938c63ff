"""Celery tasks of the liaison app: thin, they take primary keys and call services."""

from __future__ import annotations

import hashlib
import logging
import traceback
from pathlib import Path

from celery import shared_task
from django.db import IntegrityError, OperationalError
from django.utils.translation import gettext as _

from foundation import joblock
from liaison import services
from liaison.importing.keep import drop_checked, kept_path, load_checked, save_checked
from liaison.importing.progress import ProgressWriter
from liaison.importing.reader import ReadError
from liaison.importing.roster import plan_roster
from liaison.models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)


@shared_task
def run_import(
    job_id: int, confirm: bool = False, valid_rows_only: bool = False, attempt: int | None = None
) -> str:
    """Check (``confirm=False``) or import an uploaded roster; returns the job's status.

    Safe to run twice: a job another run already holds, or one already imported, is left
    as it is. Progress is reported every 2,000 rows where a poll can see it; on confirm
    the check fills the first half of the bar and the write the second, never backwards.

    The preview keeps its cell-checked rows beside the stored file (``importing.keep``),
    so the confirm step skips reading and parsing the file; it still checks every row
    against the database and the user's scope again (``plan_roster``).

    ``attempt`` is the job's attempt this task was queued for: a message redelivered after
    the job failed or was queued again finds another attempt and does nothing.
    """
    with joblock.holding(job_id) as mine:
        if not mine:  # a live run has it (a second delivery): leave it to that run
            return ImportJob.objects.values_list("status", flat=True).get(pk=job_id)
        return _run_import(job_id, confirm, valid_rows_only, attempt)


def _run_import(job_id: int, confirm: bool, valid_rows_only: bool, attempt: int | None) -> str:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status == ImportStatus.DONE or not services.claim_import_job(
        actor=job.user,
        job=job,
        confirm=confirm,
        valid_rows_only=valid_rows_only,
        attempt=attempt,
    ):
        return ImportJob.objects.values_list("status", flat=True).get(pk=job_id)
    stored = services.job_file_path(job)
    kept = kept_path(stored)
    plan = None
    try:
        data = stored.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()  # of the bytes read now, not as recorded
        sheet = job.sheet_name or ""
        checked = load_checked(kept, sha256=sha256, sheet=sheet) if confirm else None
        # One bar per run: a preview's check is all of it; a confirm's check the first half.
        with ProgressWriter(job.pk, phases=2 if confirm else 1) as checking:
            plan = plan_roster(
                checked if checked is not None else data,
                file_name=job.file_name,
                user=job.user,
                sheet=sheet or None,
                progress=checking,
            )
        if not confirm:
            save_checked(plan.checked, kept, sha256=sha256, sheet=sheet)
            services.record_import_preview(actor=job.user, job=job, report=plan.report)
            return ImportStatus.PREVIEWED
        rows = plan.report.total_rows
        with ProgressWriter(job.pk, offset=rows, scale_total=2 * rows) as writing:
            services.import_roster(
                actor=job.user,
                plan=plan,
                file_name=job.file_name,
                sha256=job.sha256,
                valid_rows_only=valid_rows_only,
                job=job,
                progress=lambda done, total: writing(rows * done // max(total, 1), 0),
            )
        drop_checked(kept)
        return ImportStatus.DONE
    except ReadError as exc:
        services.fail_import_job(actor=job.user, job=job, outcome=exc.message)
    except services.LiaisonError as exc:
        services.fail_import_job(
            actor=job.user, job=job, outcome=exc.message, report=plan.report if plan else None
        )
    except Exception as exc:  # noqa: BLE001 - every path ends in a clear message
        _log_without_values(job.pk, exc)
        services.fail_import_job(actor=job.user, job=job, outcome=_unexpected_outcome(job, exc))
        # Re-raised without the original (whose text or repr may quote cells or bytes):
        # Celery logs what it is given.
        raise ImportStopped(f"import job {job.pk} stopped: {type(exc).__name__}") from None
    return ImportStatus.FAILED


class ImportStopped(Exception):
    """An import ended by an unexpected error; the job says why, nothing was written."""


def _log_without_values(job_id: int, exc: BaseException) -> None:
    """Where it failed (files, lines, functions) and the type: never a cell or a byte."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    logger.error("import job %s stopped by %s at %s", job_id, type(exc).__name__, where)


def _unexpected_outcome(job, exc) -> str:
    """A message that says what to do, for the failures we can name; never "internal error"."""
    if isinstance(exc, OperationalError):
        return _(
            "The database was busy or unreachable, so the import stopped and nothing was "
            "written. Run it again in a few minutes."
        )
    if isinstance(exc, IntegrityError):
        return _(
            "Someone changed the same households or cadres while the file was being imported, "
            "so nothing was written. Run it again: the file is checked against the new data."
        )
    if isinstance(exc, MemoryError):
        return _("The file is too large to import at once; split it into smaller files.")
    if isinstance(exc, OSError):
        return _(
            "The uploaded file could not be read back from the server's disk, so nothing was "
            "written. Upload it again."
        )
    return _(
        "The import stopped on an unexpected error and nothing was written. Run it again; if "
        "it stops again, tell the administrator import job no. %(job)d."
    ) % {"job": job.pk}


@shared_task
def purge_import_files() -> int:
    """Delete uploaded rosters past the retention period (``LIAISON_IMPORT_KEEP_DAYS``)."""
    return services.purge_import_files(actor=None)


@shared_task
def fail_stalled_imports() -> int:
    return services.fail_stalled_imports(actor=None)


@shared_task
def rollup_activity(month: str | None = None) -> int:
    """The liaison figures of ``month`` (YYYY-MM); without it, this month (and last month
    on the 1st, so its last days count). Nightly; safe to run twice."""
    from datetime import timedelta

    from django.utils import timezone

    from .indicators import rollup_activity as rollup

    if month:
        year, mon = (int(part) for part in month.split("-"))
        return rollup(month=timezone.localdate().replace(year=year, month=mon, day=1))
    today = timezone.localdate()
    done = 0
    if today.day == 1:
        done += rollup(month=today - timedelta(days=1))
    return done + rollup(month=today)
