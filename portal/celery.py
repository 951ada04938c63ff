"""Celery application. Without REDIS_URL, settings make every task run eagerly in-process."""

import os

from celery import Celery
from celery.signals import task_prerun, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("liaison")  # the name shows in logs; the app lives in portal
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _first_heartbeat(**_kwargs):
    """A worker that just started is alive now, not only after its first minutely drain:
    /health/ says "ok" from the start instead of "silent" for a minute."""
    from foundation import heartbeat

    heartbeat.beat()


@task_prerun.connect
def _handed_over(task_id=None, **_kwargs):
    """A worker took a task the outbox sent: it is handed over, not to be sent again."""
    from foundation import outbox

    outbox.mark_started(task_id)
