"""Import jobs: upload, claim, preview, failure, retention of files (the import history)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from foundation import audit
from liaison.importing.keep import kept_path
from liaison.importing.plan import RosterReport
from liaison.importing.safety import UnsafeFile, check_upload
from liaison.models import (
    ImportJob,
    ImportKind,
    ImportStatus,
)
from responsibility_areas.models import common_path
from responsibility_areas.scoping import scope_paths

from ._base import LiaisonError


def _outcome(report: RosterReport) -> str:
    return _(
        "%(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(errors)d rows with errors."
    ) % {
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": report.error_rows,
    }


def _finish(job: ImportJob, status: str, report: RosterReport | None, outcome: str) -> None:
    job.status, job.outcome, job.finished_at = status, outcome, timezone.now()
    fields = ["status", "outcome", "finished_at"]
    if report is not None:
        job.counts, job.notices = report.counts(), report.notices
        job.errors = [e.as_dict() for e in report.errors]
        fields += ["counts", "errors", "notices"]
    job.save(update_fields=fields)


# --- Import jobs (the history the clerk's page shows) -------------------------------------


def _import_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def job_file_path(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.stored_path


def _file_retention_cutoff(now=None):
    return (now or timezone.now()) - timedelta(days=settings.LIAISON_IMPORT_KEEP_DAYS)


@audit.service
def purge_import_files(*, actor=None, now=None) -> int:
    """Delete uploaded rosters (full ID numbers in clear) older than the retention period.

    Confirmed or not, a file is kept ``LIAISON_IMPORT_KEEP_DAYS`` (default 7) after its
    upload, for the preview, the confirm and the error report; then the file and its kept
    check are deleted and the job remembers when. A job being checked or imported right now
    keeps its file until the next run. Files under ``imports/`` that no job names (an upload
    interrupted between writing the file and recording the job) go by their age. Returns
    the number of files deleted; one change-log entry for the run.
    """
    cutoff = _file_retention_cutoff(now)
    busy = (ImportStatus.PREVIEWING, ImportStatus.IMPORTING)
    due = ImportJob.objects.filter(created_at__lt=cutoff, file_deleted_at__isnull=True).exclude(
        status__in=busy
    )
    deleted, jobs = 0, []
    for job in due.only("pk", "stored_path"):
        stored = job_file_path(job)
        for path in (stored, kept_path(stored)):
            if path.exists():
                path.unlink()
                deleted += 1
        jobs.append(job.pk)
    if jobs:
        ImportJob.objects.filter(pk__in=jobs).update(file_deleted_at=now or timezone.now())
    root = _import_dir()
    if root.is_dir():
        known = set(
            ImportJob.objects.filter(file_deleted_at__isnull=True).values_list(
                "stored_path", flat=True
            )
        )
        for path in root.rglob("*"):
            relative = str(path.relative_to(settings.MEDIA_ROOT)).removesuffix(".checked")
            if (
                path.is_file()
                and relative not in known
                and path.stat().st_mtime < cutoff.timestamp()
            ):
                path.unlink()
                deleted += 1
    if not deleted and not jobs:
        audit.nothing_changed()
        return 0
    audit.record(
        actor=actor,
        action="import.files_purged",
        data={
            "files": deleted,
            "jobs": len(jobs),
            "older_than_days": settings.LIAISON_IMPORT_KEEP_DAYS,
        },
    )
    return deleted


@audit.service
def create_import_job(
    *, actor, data: bytes, file_name: str, kind: str = ImportKind.ROSTER, sheet: str = ""
) -> ImportJob:
    """Check an uploaded file (size, zip directory, macros, XML) and keep it under a new name."""
    try:
        check_upload(data, file_name)
    except UnsafeFile as exc:
        raise LiaisonError(exc.code, exc.message, "file") from exc
    suffix = Path(file_name).suffix.lower()
    stored = f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"
    path = Path(settings.MEDIA_ROOT) / stored
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    paths = scope_paths(actor) if actor is not None else [""]
    job = ImportJob.objects.create(
        user=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        file_name=Path(file_name).name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        stored_path=stored,
        sheet_name=sheet,
        area_path=common_path(paths) if "" not in paths else "",
    )
    audit.record(
        actor=actor,
        action="import.uploaded",
        obj=job,
        data={"file_name": job.file_name, "sha256": job.sha256, "size": job.size},
    )
    return job


@audit.service
def queue_import_attempt(*, actor, job: ImportJob, confirm: bool) -> int:
    """A new attempt at the job's check (``confirm=False``) or import: its number, which the
    task carries. A failed job goes back to where that step starts (uploaded, or previewed),
    so only the new attempt's task may take it; an older message still waiting in the
    broker finds another attempt and does nothing."""
    restart = ImportStatus.PREVIEWED if confirm else ImportStatus.UPLOADED
    # Decided on the row as it is now, not as the caller last read it.
    ImportJob.objects.filter(pk=job.pk).exclude(status=ImportStatus.DONE).update(
        attempt=F("attempt") + 1,
        queued_at=timezone.now(),
        status=Case(When(status=ImportStatus.FAILED, then=Value(restart)), default=F("status")),
    )
    job.refresh_from_db(fields=["attempt", "status"])
    audit.record(
        actor=actor,
        action="import.queued",
        obj=job,
        data={"attempt": job.attempt, "confirm": confirm},
    )
    return job.attempt


@audit.service
def claim_import_job(
    *,
    actor,
    job: ImportJob,
    confirm: bool,
    valid_rows_only: bool = False,
    attempt: int | None = None,
) -> bool:
    """Move a job to checking/importing; False when it is done or not in a startable state.

    The caller holds the job's run lock (``foundation.joblock``): no live run has it, so
    a job left "checking" or "importing" by a run that died (its one write transaction
    rolled back, nothing half-written) is started again. A confirmed import is never
    downgraded to a check, and a finished one never runs again.
    """
    # Never from "failed": a failed attempt never writes; a re-run is a new attempt
    # (queue_import_attempt), and a task of another attempt than the job's does nothing.
    before = [ImportStatus.UPLOADED, ImportStatus.PREVIEWED]
    after = ImportStatus.IMPORTING if confirm else ImportStatus.PREVIEWING
    before.append(after)  # a dead run of the same step: start it again
    current = {"attempt": attempt} if attempt is not None else {}
    # Conditional update: of two workers given the same job, exactly one wins.
    won = (
        ImportJob.objects.filter(pk=job.pk, status__in=before, **current).update(
            status=after,
            progress_done=0,
            progress_total=0,
            valid_rows_only=valid_rows_only,
            started_at=timezone.now(),
        )
        == 1
    )
    if not won:
        audit.nothing_changed()
        return False
    job.status, job.valid_rows_only = after, valid_rows_only
    audit.record(
        actor=actor,
        action="import.started",
        obj=job,
        data={"confirm": confirm, "valid_rows_only": valid_rows_only},
    )
    return True


def overdue_import_jobs(now=None):
    """Jobs waiting past ``LIAISON_IMPORT_STALL_MINUTES``: checking or importing since
    then, or queued since then and never started (the broker lost the task after the
    outbox handed it over). ``/health/`` counts them; the watchdog fails them."""
    from django.db.models import Q

    cutoff = (now or timezone.now()) - timedelta(minutes=settings.LIAISON_IMPORT_STALL_MINUTES)
    running = Q(status__in=[ImportStatus.PREVIEWING, ImportStatus.IMPORTING], started_at__lt=cutoff)
    never_started = Q(started_at__isnull=True) | Q(started_at__lt=F("queued_at"))
    queued = (
        Q(status__in=[ImportStatus.UPLOADED, ImportStatus.PREVIEWED], queued_at__lt=cutoff)
        & never_started
    )
    return ImportJob.objects.filter(running | queued)


@audit.service
def fail_stalled_imports(*, actor=None, now=None) -> int:
    """Mark failed the jobs whose run died and was not redelivered (checking or importing
    too long, no live run holding their lock), and those queued too long that no worker
    ever started while no outbox row still waits to send them (the broker lost the task).
    Nothing was written by them (the write is one transaction). The page then offers to
    run the job again — a new attempt, so the lost task, if it ever comes back, does
    nothing."""
    from foundation import joblock, outbox

    candidates = overdue_import_jobs(now).only("pk", "status")
    stalled = [
        job
        for job in candidates
        if not joblock.is_held(job.pk) and not outbox.waiting(f"import:{job.pk}")
    ]
    outcome = _(
        "The import stopped (its worker was lost, or the task queue lost it) and nothing was "
        "written. Run it again with the button below."
    )
    failed = 0
    for job in stalled:
        failed += ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportStatus.FAILED, outcome=outcome, finished_at=timezone.now()
        )
    if not failed:
        audit.nothing_changed()
        return 0
    audit.record(
        actor=actor, action="import.stalled_failed", data={"jobs": [j.pk for j in stalled]}
    )
    return failed


@audit.service
def record_import_preview(*, actor, job: ImportJob, report: RosterReport) -> ImportJob:
    _finish(job, ImportStatus.PREVIEWED, report, _outcome(report))
    audit.record(actor=actor, action="import.previewed", obj=job, data=report.counts())
    return job


@audit.service
def fail_import_job(
    *, actor, job: ImportJob, outcome: str, report: RosterReport | None = None
) -> ImportJob:
    _finish(job, ImportStatus.FAILED, report, outcome)
    audit.record(actor=actor, action="import.failed", obj=job, data={"outcome": outcome})
    return job


@audit.service
def record_pii_export(*, actor, what: str, rows: int) -> None:
    """An export with full ID and phone numbers: allowed to some, recorded for all of them."""
    if not actor.has_perm("liaison.view_full_pii"):
        raise LiaisonError("forbidden", _("You are not allowed to see full ID and phone numbers."))
    paths = scope_paths(actor)
    audit.record(
        actor=actor,
        action="export.full_pii",
        area_path=common_path(paths) if "" not in paths else "",
        data={"what": what, "rows": rows},
    )


@audit.service
def import_through_resource(*, actor, resource, dataset, dry_run: bool = False, **kwargs):
    """A django-import-export import (the admin's), in one transaction, audited.

    The resource rolls back the whole file when any row is invalid or fails.
    """
    result = resource.import_data_in_transaction(dataset, user=actor, dry_run=dry_run, **kwargs)
    totals = {k: v for k, v in result.totals.items()}
    failed = result.has_errors() or result.has_validation_errors()
    if dry_run or failed or not (totals.get("new") or totals.get("update")):
        audit.nothing_changed()
    else:
        audit.record(
            actor=actor,
            action="resource.imported",
            data={"resource": type(resource).__name__, **totals},
        )
    return result


DISCARDABLE = (ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED)


@audit.service
def discard_import_job(*, actor, job: ImportJob) -> ImportJob:
    """Give up a file not imported (checked with errors, failed, or simply unwanted): it
    leaves 待办 and the list of what waits, and its attempt is over — a task of it that
    comes late does nothing. Nothing it would have written was written."""
    if not ImportJob.objects.visible_to(actor).filter(pk=job.pk).exists():
        raise LiaisonError("out_of_scope", _("This import is outside your responsibility."))
    won = ImportJob.objects.filter(pk=job.pk, status__in=DISCARDABLE).update(
        status=ImportStatus.DISCARDED,
        attempt=F("attempt") + 1,
        finished_at=timezone.now(),
        outcome=_("Discarded: nothing from this file was written."),
    )
    if not won:
        raise LiaisonError(
            "not_discardable", _("Only a file not imported (nor being imported) can be discarded.")
        )
    job.refresh_from_db()
    audit.record(actor=actor, action="import.discarded", obj=job, data={"file_name": job.file_name})
    return job
