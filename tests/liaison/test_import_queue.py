"""Redis down while a clerk imports (issue 10 §3): the check is queued, not refused, the
request does not wait on the dead broker, the page says "排队中…", and the task is sent once
when the broker is back."""

import os
import time

import pytest
from celery import current_app
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from foundation import outbox
from foundation.models import Outbox
from liaison.models import ImportJob, ImportStatus
from tests.liaison.roster_files import roster_row, xlsx_bytes

pytestmark = pytest.mark.django_db

DOWN = "redis://127.0.0.1:6399/0"  # nothing listens there
UP = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def broker():
    conf = current_app.conf
    saved = conf.broker_url, conf.task_always_eager, conf.task_default_queue

    def point_at(url):
        current_app._pool = None
        current_app.amqp._producer_pool = None
        conf.broker_url, conf.task_always_eager = url, False
        conf.task_default_queue = "import-queue-test"

    yield point_at
    point_at(saved[0])
    conf.broker_url, conf.task_always_eager, conf.task_default_queue = saved
    outbox._down_until.clear()


def test_a_check_started_while_redis_is_down_is_queued_and_sent_once_later(
    client, clerk_a, broker, django_capture_on_commit_callbacks
):
    import redis

    client.force_login(clerk_a)
    upload = SimpleUploadedFile("花名册.xlsx", xlsx_bytes([roster_row()]))
    client.post(reverse("import_list"), {"file": upload, "sheet": ""})
    job = ImportJob.objects.latest("id")
    broker(DOWN)
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("import_preview", args=[job.pk]), HTTP_X_REQUESTED_WITH="fetch"
        )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response.json()["ok"] is True  # queued, not refused
    assert elapsed < 0.5, elapsed  # the dead broker cost the request well under a second
    row = Outbox.objects.get(ref=f"import:{job.pk}")
    assert row.sent_at is None and row.task == "liaison.tasks.run_import"
    # The page (and its poll) say it is queued; reloading does not queue it twice.
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "排队中" in page and "data-start-url" not in page
    client.post(reverse("import_preview", args=[job.pk]), HTTP_X_REQUESTED_WITH="fetch")
    assert Outbox.objects.filter(ref=f"import:{job.pk}").count() == 1
    detail = client.get(reverse("import_detail", args=[job.pk]))
    token = detail.context["progress_token"]
    poll = client.get(reverse("import_progress", args=[job.pk]), {"token": token}).json()
    assert poll["queued"] is True and "排队中" in poll["queued_label"]
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED

    try:
        redis.Redis.from_url(UP).ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not reachable at {UP}")
    broker(UP)
    outbox._down_until.clear()  # the back-off is per process; the drain runs in a worker
    try:
        assert outbox.drain() == 1
        assert outbox.drain() == 0  # once
        assert Outbox.objects.get(ref=f"import:{job.pk}").sent_at is not None
        with current_app.connection_for_write() as conn:
            waiting = conn.default_channel.client.llen("import-queue-test")
        assert waiting == 1
    finally:
        with current_app.connection_for_write() as conn:
            conn.default_channel.queue_purge("import-queue-test")
