"""A real Celery worker and beat against Redis, on a database they share with the test.

Run: ``pytest -m integration tests/grievances/test_celery_integration.py`` with Redis on
127.0.0.1:6379 (or REDIS_URL). On PostgreSQL the subprocesses use the test database
(data committed by ``transactional_db``); on SQLite the in-memory test database is copied
to a file first, and results are read back from that file.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from grievances.models import Matter

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
ROOT = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).with_name("celery"))


@pytest.fixture
def redis_up():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL}: start redis-server, or set "
            "REDIS_URL=redis://host:6379/15, then run pytest -m integration again."
        )


class SharedDatabase:
    """The database as the subprocesses see it, and how to read a matter back from it."""

    def __init__(self, tmp_path: Path):
        self.file = None
        if connection.vendor == "sqlite":
            self.file = tmp_path / "shared.sqlite3"
            target = sqlite3.connect(self.file)
            connection.ensure_connection()
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.file}"
        else:
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.url = (
                f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
            )

    def matter(self, pk: int) -> tuple[int, int]:
        """(escalation_count, escalated events) as committed in the shared database."""
        sql = (
            "SELECT m.escalation_count, (SELECT COUNT(*) FROM grievances_matterevent e "
            "WHERE e.matter_id = m.id AND e.action = 'escalated') "
            "FROM grievances_matter m WHERE m.id = %s"
        )
        if self.file is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, [pk])
                return cursor.fetchone()
        with sqlite3.connect(self.file, timeout=10) as db:
            return db.execute(sql.replace("%s", "?"), [pk]).fetchone()


def _env(db: SharedDatabase, queue: str, **extra) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PYTHONPATH": str(ROOT),
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _start(args, env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [CELERY, "-A", "portal", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _worker(env, log, *extra):
    return _start(
        [
            "worker",
            "--pool=solo",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            env["CELERY_TASK_DEFAULT_QUEUE"],
            *extra,
        ],
        env,
        log,
    )


def _stop(*procs):
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for(check, seconds: float, logs) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)
    pytest.fail(f"not reached within {seconds} s\n{tails}")


def _overdue_matter(make_matter) -> Matter:
    matter = make_matter(received_on=timezone.localdate() - timedelta(days=20))
    assert matter.deadline < timezone.localdate()
    return matter


def test_beat_and_worker_escalate_an_overdue_matter(redis_up, ledger, make_matter, tmp_path):
    matter = _overdue_matter(make_matter)
    db = SharedDatabase(tmp_path)
    env = _env(db, f"test-{uuid.uuid4().hex[:8]}", GRIEVANCE_ESCALATE_EVERY_SECONDS=2)
    logs = [tmp_path / "worker.log", tmp_path / "beat.log"]
    worker = _worker(env, logs[0])
    beat = _start(["beat", "-l", "info", "-s", str(tmp_path / "beat-schedule")], env, logs[1])
    try:
        _wait_for(lambda: db.matter(matter.pk)[0] == 1, 40, logs)
        time.sleep(4)  # beat keeps firing every 2 s: the same lapse is not escalated again
        assert db.matter(matter.pk) == (1, 1)
    finally:
        _stop(beat, worker)


def test_a_worker_killed_mid_task_leaves_no_half_result(redis_up, ledger, make_matter, tmp_path):
    from celery import Celery

    matter = _overdue_matter(make_matter)
    db = SharedDatabase(tmp_path)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    # The dead worker's unacked task becomes visible again after 2 s; checked every second.
    options = {
        "visibility_timeout": 2,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    env = _env(db, queue, CELERY_TRANSPORT_OPTIONS=json.dumps(options))
    marker = tmp_path / "started"
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]
    first = _worker(env, logs[0], "-I", "tests.grievances.celery_tasks")
    second = None
    client = Celery(broker=REDIS_URL)
    try:
        client.send_task("tests.escalate_slowly", args=[str(marker), 120], queue=queue)
        _wait_for(marker.exists, 40, logs[:1])
        os.kill(first.pid, signal.SIGKILL)  # mid-task: the escalation is not committed
        first.wait(timeout=10)
        assert db.matter(matter.pk) == (0, 0)
        second = _worker(env, logs[1], "-I", "tests.grievances.celery_tasks")
        _wait_for(lambda: db.matter(matter.pk)[0] == 1, 40, logs)  # redelivered (acks_late)
        time.sleep(2)
        assert db.matter(matter.pk) == (1, 1)  # completed exactly once
    finally:
        _stop(*(p for p in (first, second) if p is not None))
        client.close()


def test_a_task_the_broker_lost_after_hand_over_is_sent_again_and_runs_once(
    redis_up, ledger, make_matter, tmp_path, django_capture_on_commit_callbacks
):
    """Issue 22 §3: Redis without persistence restarted after the outbox handed a task over
    and before a worker took it. The row is not started, so the drain sends it again; a real
    worker runs it once and marks it started; nothing is sent after that."""
    from celery import current_app

    from foundation import outbox
    from foundation.models import Outbox

    if connection.vendor != "postgresql":
        pytest.skip("the worker marks the row in the shared PostgreSQL database")
    matter = _overdue_matter(make_matter)
    db = SharedDatabase(tmp_path)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    conf = current_app.conf
    saved = conf.broker_url, conf.task_always_eager, conf.task_default_queue
    current_app._pool = None
    current_app.amqp._producer_pool = None
    conf.broker_url, conf.task_always_eager, conf.task_default_queue = REDIS_URL, False, queue
    worker = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            row = outbox.enqueue("grievances.tasks.escalate_overdue", ref="lost:1")
        row.refresh_from_db()
        assert row.sent_at is not None and row.started_at is None
        with current_app.connection_for_write() as conn:
            assert conn.default_channel.queue_purge(queue) == 1  # lost with the restart
        later = row.sent_at + timedelta(seconds=outbox.RESEND_AFTER + 1)
        assert outbox.lost(now=later) == 1
        assert outbox.drain(now=later) == 1
        log = tmp_path / "worker.log"
        worker = _worker(_env(db, queue), log)
        _wait_for(lambda: Outbox.objects.get(pk=row.pk).started_at is not None, 40, [log])
        _wait_for(lambda: db.matter(matter.pk)[0] == 1, 40, [log])
        assert outbox.drain(now=later + timedelta(days=1)) == 0
        assert db.matter(matter.pk) == (1, 1) and Outbox.objects.get(pk=row.pk).sends == 2
    finally:
        if worker is not None:
            _stop(worker)
        current_app._pool = None
        current_app.amqp._producer_pool = None
        conf.broker_url, conf.task_always_eager, conf.task_default_queue = saved
