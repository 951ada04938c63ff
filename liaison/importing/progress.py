"""Progress of a running import, visible to a poll while the import transaction is open.

The rows are written in one transaction, so a progress counter written through the same
connection would stay invisible until the end. Each tick goes to the cache (enough when
the web process runs the task eagerly, the embedded default) and, on PostgreSQL, through
a second connection in autocommit mode (a Celery worker in another process). SQLite
allows one writer at a time, so there the cache alone carries it.

These ticks are bookkeeping on the job row, not a change of anyone's data: they are not
audited (the job's start and end are, in ``liaison.services.import_jobs``).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection, connections

from liaison.models import ImportJob

CACHE_SECONDS = 6 * 3600


def _key(job_id: int) -> str:
    return f"liaison:import-progress:{job_id}"


class ProgressWriter:
    """Call with (done, total); use as a context manager so the side connection is closed.

    ``offset`` and ``scale_total`` place a phase on a bar of ``scale_total`` rows;
    ``phases=2`` makes (done, total) fill the first half of a bar of ``2 * total``.
    A writer never reports less of the bar than it already has (the bar does not go back).
    """

    def __init__(
        self, job_id: int, offset: int = 0, scale_total: int | None = None, phases: int = 1
    ):
        self.job_id, self.offset, self.scale_total = job_id, offset, scale_total
        self.phases = phases
        self._side = None
        self._shown = 0.0  # the largest fraction reported so far

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._side is not None:
            self._side.close()

    def __call__(self, done: int, total: int) -> None:
        shown_total = self.scale_total or self.phases * total
        done = self.offset + done
        if shown_total:
            fraction = done / shown_total
            if fraction < self._shown:
                return
            self._shown = fraction
        report_progress(self.job_id, done, shown_total, self)

    def side_connection(self):
        if self._side is None:
            self._side = connections.create_connection("default")
        return self._side


def report_progress(
    job_id: int, done: int, total: int, writer: ProgressWriter | None = None
) -> None:
    cache.set(_key(job_id), (done, total), CACHE_SECONDS)
    if connection.vendor != "postgresql" or writer is None:
        return
    if connection.in_atomic_block:
        side = writer.side_connection()
        with side.cursor() as cursor:  # autocommit: visible to a poll at once
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET progress_done = %s, progress_total = %s "
                "WHERE id = %s",
                [done, total, job_id],
            )
    else:
        ImportJob.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)


def job_progress(job: ImportJob) -> dict:
    """What a progress bar needs: status, rows done, rows in total, percent."""
    job.refresh_from_db(fields=["status", "progress_done", "progress_total", "outcome"])
    cached = cache.get(_key(job.pk))
    done, total = max((cached or (0, 0)), (job.progress_done, job.progress_total))
    if job.is_finished:
        done = total = max(total, 1)
    return {
        "status": job.status,
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else 0,
        "outcome": job.outcome,
    }
