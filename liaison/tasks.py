"""Celery tasks of the liaison app: thin, they take primary keys and call services."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _

from liaison import services
from liaison.importing.progress import ProgressWriter
from liaison.importing.reader import ReadError
from liaison.importing.roster import plan_roster
from liaison.models import ImportJob, ImportStatus


@shared_task
def run_import(job_id: int, confirm: bool = False, valid_rows_only: bool = False) -> str:
    """Check (``confirm=False``) or import an uploaded roster; returns the job's status.

    Safe to run twice: a job another run already holds, or one already imported, is left
    as it is. Progress is reported every 2,000 rows where a poll can see it.
    """
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status == ImportStatus.DONE or not services.claim_import_job(
        actor=job.user, job=job, confirm=confirm, valid_rows_only=valid_rows_only
    ):
        return ImportJob.objects.values_list("status", flat=True).get(pk=job_id)
    data = services.job_file_path(job).read_bytes()
    plan = None
    try:
        with ProgressWriter(job.pk) as checking:
            plan = plan_roster(
                data,
                file_name=job.file_name,
                user=job.user,
                sheet=job.sheet_name or None,
                progress=checking,
            )
        if not confirm:
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
        return ImportStatus.DONE
    except ReadError as exc:
        services.fail_import_job(actor=job.user, job=job, outcome=exc.message)
    except services.LiaisonError as exc:
        services.fail_import_job(
            actor=job.user, job=job, outcome=exc.message, report=plan.report if plan else None
        )
    except Exception:
        services.fail_import_job(
            actor=job.user,
            job=job,
            outcome=_("The import stopped because of an internal error; nothing was imported."),
        )
        raise
    return ImportStatus.FAILED
