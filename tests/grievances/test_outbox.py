"""The outbox: a task queued while Redis is down is kept and sent once the broker is back."""

import os
import time

import pytest
from celery import current_app

from foundation import outbox
from foundation.models import Outbox

pytestmark = pytest.mark.django_db

DOWN = "redis://127.0.0.1:6399/0"  # nothing listens there
UP = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def broker():
    """Point the Celery app at a given broker, not eager; restore it afterwards."""
    conf = current_app.conf
    saved = conf.broker_url, conf.task_always_eager, conf.task_default_queue

    def point_at(url):
        current_app._pool = None
        current_app.amqp._producer_pool = None
        conf.broker_url, conf.task_always_eager = url, False
        conf.task_default_queue = "outbox-test"

    yield point_at
    point_at(saved[0])
    conf.broker_url, conf.task_always_eager, conf.task_default_queue = saved


def test_a_task_queued_while_the_broker_is_down_stays_in_the_outbox(
    broker, django_capture_on_commit_callbacks
):
    broker(DOWN)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.enqueue("grievances.tasks.escalate_overdue")
    assert time.monotonic() - started < 5  # the user's request is not held up for long
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    assert outbox.drain() == 0


def test_the_outbox_is_drained_when_the_broker_is_back(broker, django_capture_on_commit_callbacks):
    import redis

    try:
        redis.Redis.from_url(UP).ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not reachable at {UP}: start redis-server or set REDIS_URL")
    broker(DOWN)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("grievances.tasks.rollup_ledger", ["2026-03"])
    broker(UP)
    assert outbox.drain() == 1
    row = Outbox.objects.get()
    assert row.sent_at is not None and row.attempts == 2
    assert outbox.drain() == 0
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("outbox-test")


def test_without_a_broker_configured_the_task_runs_in_process(
    django_capture_on_commit_callbacks, settings
):
    assert current_app.conf.task_always_eager  # the embedded default (no REDIS_URL)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("grievances.tasks.escalate_overdue")
    assert Outbox.objects.get().sent_at is not None


def _redis_or_fail():
    import redis

    try:
        redis.Redis.from_url(UP).ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not reachable at {UP}: start redis-server or set REDIS_URL")


def test_a_task_is_handed_over_only_when_a_worker_starts_it(
    broker, django_capture_on_commit_callbacks
):
    """Issue 22 §3: sent is not enough — a broker restarted without persistence loses what
    it held. A row sent and never started is sent again, later and later, MAX_SENDS in all."""
    from datetime import timedelta

    from django.utils import timezone

    _redis_or_fail()
    broker(UP)
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.enqueue("grievances.tasks.rollup_ledger", ["2026-03"], ref="t:1")
    row.refresh_from_db()
    assert row.sent_at is not None and row.started_at is None and row.sends == 1
    assert outbox.waiting("t:1")  # still on its way: the import watchdog leaves its job
    sent = row.sent_at
    assert outbox.drain(now=sent + timedelta(seconds=60)) == 0  # not yet: it may be queued
    assert outbox.lost(now=sent + timedelta(seconds=60)) == 0
    assert outbox.lost(now=sent + timedelta(seconds=outbox.RESEND_AFTER + 1)) == 1
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("outbox-test")  # the broker lost it
    assert outbox.drain(now=sent + timedelta(seconds=outbox.RESEND_AFTER + 1)) == 1
    row.refresh_from_db()
    assert row.sends == 2 and row.started_at is None
    # The second wait is twice as long.
    later = row.sent_at + timedelta(seconds=outbox.RESEND_AFTER + 1)
    assert outbox.drain(now=later) == 0
    Outbox.objects.filter(pk=row.pk).update(sends=outbox.MAX_SENDS)
    assert outbox.drain(now=timezone.now() + timedelta(days=1)) == 0  # given up: watchdogs
    assert not outbox.waiting("t:1")
    Outbox.objects.filter(pk=row.pk).update(sends=2)
    # A worker takes it (Celery's task_prerun names the task id the outbox gave it).
    outbox.mark_started(f"{outbox.TASK_ID_PREFIX}{row.pk}-2")
    row.refresh_from_db()
    assert row.started_at is not None and not outbox.waiting("t:1")
    assert outbox.drain(now=timezone.now() + timedelta(days=1)) == 0
    outbox.mark_started("celery-beat-task-id")  # a task the outbox did not send: nothing
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("outbox-test")


def test_health_counts_tasks_sent_and_never_started(client, broker):
    from datetime import timedelta

    from django.utils import timezone

    Outbox.objects.create(
        task="grievances.tasks.escalate_overdue",
        sent_at=timezone.now() - timedelta(seconds=outbox.RESEND_AFTER + 5),
        sends=1,
    )
    body = client.get("/health/").json()
    assert body["outbox_unstarted"] == 1 and body["status"] == "degraded"
