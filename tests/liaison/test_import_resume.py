"""An import whose worker dies is never stuck (issue 10 §4).

After ``kill -9`` of the worker mid-import, Celery redelivered the task; the redelivered run
refused a job already "importing" and returned, so the page showed "导入中" for ever. Now a
run holds the job's lock (a PostgreSQL advisory lock, released when the dead worker's
connection drops); a redelivery that finds it free starts the job again and finishes once;
a job silent past the stall time with no live run is failed, with a re-run button.
"""

import time
from datetime import timedelta

import psycopg2
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from foundation import joblock
from foundation.joblock import NAMESPACE
from liaison import services
from liaison.models import Household, ImportJob, ImportStatus, Pairing
from liaison.tasks import run_import
from tests.liaison.roster_files import roster_row, xlsx_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _previewed(user):
    job = services.create_import_job(
        actor=user, data=xlsx_bytes([roster_row()]), file_name="花名册.xlsx"
    )
    assert run_import(job.pk, confirm=False) == ImportStatus.PREVIEWED
    return job


@pytest.mark.django_db
def test_a_redelivered_import_whose_run_died_starts_again_and_finishes_once(clerk_a, areas):
    job = _previewed(clerk_a)
    # What a killed worker leaves: the job "importing", its write rolled back, no lock held.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, started_at=timezone.now() - timedelta(minutes=1)
    )
    assert run_import(job.pk, confirm=True) == ImportStatus.DONE  # the redelivery
    assert Household.objects.count() == 1 and Pairing.objects.count() == 1
    assert run_import(job.pk, confirm=True) == ImportStatus.DONE  # a third delivery: nothing
    assert Household.objects.count() == 1 and Pairing.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_live_run_keeps_the_job_and_a_second_delivery_leaves_it(clerk_a, areas):
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite runs tasks in one process")
    job = _previewed(clerk_a)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    params = {k: v for k, v in connection.get_connection_params().items() if k != "options"}
    live = psycopg2.connect(**params)  # the live run's session
    try:
        live.cursor().execute("SELECT pg_advisory_lock(%s, %s)", [NAMESPACE, job.pk])
        assert run_import(job.pk, confirm=True) == ImportStatus.IMPORTING
        assert Household.objects.count() == 0
        # ... and the stall check does not fail a job a live run holds.
        ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=2))
        assert services.fail_stalled_imports() == 0
    finally:
        live.close()  # the worker dies: PostgreSQL releases its lock
    # The server ends the dead session a moment after the socket closes (as a redelivery
    # comes seconds later in real life): wait for the lock to be free, at most 5 s.
    deadline = time.monotonic() + 5
    while joblock.is_held(job.pk) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run_import(job.pk, confirm=True) == ImportStatus.DONE
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_a_stalled_job_is_failed_and_can_be_run_again(client, clerk_a, areas, settings):
    settings.LIAISON_IMPORT_STALL_MINUTES = 10
    job = _previewed(clerk_a)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, started_at=timezone.now() - timedelta(minutes=11)
    )
    fresh = _previewed(clerk_a)
    ImportJob.objects.filter(pk=fresh.pk).update(
        status=ImportStatus.IMPORTING, started_at=timezone.now() - timedelta(minutes=2)
    )
    assert services.fail_stalled_imports() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "没有写入" in job.outcome
    assert ImportJob.objects.get(pk=fresh.pk).status == ImportStatus.IMPORTING
    client.force_login(clerk_a)
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="rerun"' in page
    client.post(reverse("import_preview", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED  # checked again; confirm as usual
    assert Household.objects.count() == 0


def test_the_stall_check_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "liaison.tasks.fail_stalled_imports" in tasks


@pytest.mark.django_db
def test_a_stale_run_redelivered_after_the_job_failed_never_writes(clerk_a, areas, settings):
    """Issue 22, 1: the whole worker killed mid-import; after the stall time the job is
    failed; a corrected file is imported; an hour later Redis redelivers the first task —
    it imported the old file and reverted the corrected values. Now it does nothing."""
    from tests.liaison.factories import id_number

    settings.LIAISON_IMPORT_STALL_MINUTES = 10
    number = id_number()
    old = services.create_import_job(
        actor=clerk_a,
        data=xlsx_bytes([roster_row(**{"公民身份号码": number, "户主姓名": "王大明"})]),
        file_name="花名册.xlsx",
    )
    assert run_import(old.pk, confirm=False) == ImportStatus.PREVIEWED
    stale_attempt = services.queue_import_attempt(actor=clerk_a, job=old, confirm=True)
    # The worker died holding it: "importing" since 11 minutes, no live run.
    ImportJob.objects.filter(pk=old.pk).update(
        status=ImportStatus.IMPORTING, started_at=timezone.now() - timedelta(minutes=11)
    )
    assert services.fail_stalled_imports() == 1
    corrected = services.create_import_job(
        actor=clerk_a,
        data=xlsx_bytes([roster_row(**{"公民身份号码": number, "户主姓名": "王大明更正"})]),
        file_name="更正.xlsx",
    )
    assert run_import(corrected.pk, confirm=False) == ImportStatus.PREVIEWED
    assert run_import(corrected.pk, confirm=True) == ImportStatus.DONE
    # The broker hands the first task over again: the job failed, the attempt is over.
    assert run_import(old.pk, confirm=True, attempt=stale_attempt) == ImportStatus.FAILED
    assert Household.objects.get().head_name == "王大明更正"
    # Its re-run is a new attempt; a message of the old one still does nothing.
    new_attempt = services.queue_import_attempt(actor=clerk_a, job=old, confirm=False)
    assert run_import(old.pk, confirm=True, attempt=stale_attempt) == ImportStatus.UPLOADED
    assert run_import(old.pk, confirm=False, attempt=new_attempt) == ImportStatus.PREVIEWED


@pytest.mark.django_db
def test_a_task_the_broker_lost_after_hand_over_is_not_left_waiting(client, clerk_a, settings):
    """Issue 22, 3: Redis (no persistence) killed after the outbox handed the task over and
    before a worker took it: the job stayed "uploaded" for ever and /health/ said "ok"."""
    from foundation.models import Outbox

    settings.LIAISON_IMPORT_STALL_MINUTES = 10
    job = services.create_import_job(
        actor=clerk_a, data=xlsx_bytes([roster_row()]), file_name="花名册.xlsx"
    )
    lost = services.queue_import_attempt(actor=clerk_a, job=job, confirm=False)
    from foundation import outbox

    row = Outbox.objects.create(
        task="liaison.tasks.run_import", ref=f"import:{job.pk}", sent_at=timezone.now(), sends=1
    )
    assert client.get("/health/").json()["imports_overdue"] == 0
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(minutes=11))
    health = client.get("/health/").json()
    assert health["imports_overdue"] == 1 and health["status"] == "degraded"
    # Sent and never started: the drain sends it again (foundation.outbox), so the job waits.
    assert services.fail_stalled_imports() == 0
    # Sent MAX_SENDS times and never started: the queue has lost it for good.
    Outbox.objects.filter(pk=row.pk).update(sends=outbox.MAX_SENDS)
    assert services.fail_stalled_imports() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "没有写入" in job.outcome
    assert run_import(job.pk, confirm=False, attempt=lost) == ImportStatus.FAILED  # late
    assert client.get("/health/").json()["imports_overdue"] == 0


@pytest.mark.django_db
def test_a_task_still_in_the_outbox_is_waiting_for_the_broker_not_lost(clerk_a, settings):
    from foundation.models import Outbox

    settings.LIAISON_IMPORT_STALL_MINUTES = 10
    job = services.create_import_job(
        actor=clerk_a, data=xlsx_bytes([roster_row()]), file_name="花名册.xlsx"
    )
    services.queue_import_attempt(actor=clerk_a, job=job, confirm=False)
    Outbox.objects.create(task="liaison.tasks.run_import", ref=f"import:{job.pk}")
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(minutes=30))
    assert services.fail_stalled_imports() == 0  # Redis is down: it waits, and says so
