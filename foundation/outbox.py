"""Every task the product starts goes through here, so nothing is lost while Redis is down.

``enqueue`` writes an Outbox row in the caller's transaction — the task exists exactly when
the change that asked for it exists — and, once the transaction commits, tries to hand it
to the broker. From a web request that try is fast and single: the broker's port is probed
with a 50 ms connect timeout, and after a failure this process does not try again for
``BROKER_BACKOFF`` seconds (the row waits). The minutely ``drain_outbox`` task, the
``drain_outbox`` command, or the next request after the back-off, sends what waits — each
row once (a conditional UPDATE claims it before it is sent).

With no broker configured (the embedded default) tasks run in-process, as before.
"""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import urlparse

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.utils.imports import symbol_by_name

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 0.05  # seconds: a web request never waits longer on a dead broker
BROKER_BACKOFF = 15.0  # seconds without a new try after a failure, in this process
_down_until: dict[str, float] = {}  # broker URL -> monotonic time of the next try


def _model():
    from foundation.models import Outbox

    return Outbox


def broker_reachable() -> bool:
    """A TCP connect to the broker within CONNECT_TIMEOUT (no broker configured: True)."""
    from celery import current_app

    url = current_app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://", "amqp://")):
        return True
    if time.monotonic() < _down_until.get(url, 0.0):
        return False
    parsed = urlparse(url)
    port = parsed.port or (6379 if parsed.scheme.startswith("redis") else 5672)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", port), CONNECT_TIMEOUT).close()
    except OSError:
        _down_until[url] = time.monotonic() + BROKER_BACKOFF
        return False
    return True


def enqueue(task: str, args=(), kwargs=None, *, ref: str = ""):
    """Record ``task(*args, **kwargs)`` now; send it when the current transaction commits.

    Without a broker (the embedded default, tasks eager) the task runs at once, in-process,
    as ``.delay()`` would there.
    """
    row = _model().objects.create(task=task, args=list(args), kwargs=kwargs or {}, ref=ref)
    if _eager():
        send(row.pk)
    else:
        transaction.on_commit(lambda: send(row.pk))
    return row


def send(pk: int) -> bool:
    """Hand one waiting row to the broker, once; True if it went (or ran, in eager mode).

    The row is locked (SKIP LOCKED) while it is published and marked sent in the same
    transaction: two drains never send it twice, and a process killed in between leaves
    it waiting (a task sent twice would be harmless — tasks are idempotent — a lost one not).
    """
    Outbox = _model()
    if _eager():
        claimed = Outbox.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=timezone.now())
        if claimed:
            row = Outbox.objects.get(pk=pk)
            symbol_by_name(row.task).apply_async(args=row.args, kwargs=row.kwargs)
        return bool(claimed)
    if not broker_reachable():
        Outbox.objects.filter(pk=pk, sent_at__isnull=True).update(
            attempts=F("attempts") + 1, last_error="broker unreachable"
        )
        return False
    error = None
    with transaction.atomic():
        rows = Outbox.objects.filter(pk=pk, sent_at__isnull=True)
        if connection.vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True)
        row = rows.first()
        if row is None:
            return False
        try:
            symbol_by_name(row.task).apply_async(args=row.args, kwargs=row.kwargs, retry=False)
        except Exception as exc:  # noqa: BLE001 - the broker refused: the row waits again
            if not _is_broker_error(exc):
                raise
            error = exc
        else:
            row.sent_at, row.attempts, row.last_error = timezone.now(), row.attempts + 1, ""
            row.save(update_fields=["sent_at", "attempts", "last_error"])
    if error is not None:
        log.warning("task %s (outbox %s) not sent: %s", row.task, pk, type(error).__name__)
        Outbox.objects.filter(pk=pk).update(attempts=row.attempts + 1, last_error=str(error)[:300])
        return False
    return True


def _eager() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def _is_broker_error(exc) -> bool:
    from kombu.exceptions import OperationalError

    return isinstance(exc, OperationalError | ConnectionError | OSError)


def drain(limit: int = 500) -> int:
    """Send the oldest waiting rows; stop at the first broker failure. Returns how many went."""
    sent = 0
    waiting = _model().objects.filter(sent_at__isnull=True).order_by("created_at", "pk")
    for pk in waiting.values_list("pk", flat=True)[:limit]:
        if not send(pk):
            if not broker_reachable():
                break
            continue
        sent += 1
    return sent


def waiting(ref: str) -> bool:
    """Is a task for ``ref`` still waiting for the broker?"""
    return _model().objects.filter(ref=ref, sent_at__isnull=True).exists()
