"""Every task the product starts goes through here, so nothing is lost while Redis is down.

``enqueue`` writes an Outbox row in the caller's transaction — the task exists exactly when
the change that asked for it exists — and, once the transaction commits, tries to hand it
to the broker. From a web request that try is fast and single: the broker's port is probed
with a 50 ms connect timeout, and after a failure this process does not try again for
``BROKER_BACKOFF`` seconds (the row waits). The minutely ``drain_outbox`` task, the
``drain_outbox`` command, or the next request after the back-off, sends what waits — each
row once (a conditional UPDATE claims it before it is sent).

A task counts as handed over only once a worker has *started* it: each message carries its
row's id as the task id (``outbox-<row>-<send>``) and the worker marks the row when it takes
the task (``mark_started``, on Celery's ``task_prerun``). A row sent and never started — a
Redis restarted without persistence lost it, or a broker crashed between hand-over and
start — is sent again by the drain after ``RESEND_AFTER``, then after twice that, and so on
up to ``MAX_SENDS`` sends; tasks are safe to run twice (an import's task carries its attempt,
the sweeps re-check each row), so a resend of a task that was only slow costs nothing.
``/health/`` counts the rows that were sent and not started past ``RESEND_AFTER``.

With no broker configured (the embedded default) tasks run in-process, as before.
"""

from __future__ import annotations

import logging
import socket
import time
from datetime import timedelta
from urllib.parse import urlparse

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.utils.imports import symbol_by_name

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 0.05  # seconds: a web request never waits longer on a dead broker
RESEND_AFTER = 120.0  # seconds sent and not started before the first resend (then doubled);
# settings.LIAISON_OUTBOX_RESEND_SECONDS overrides it (bench/faults.py uses 5)
MAX_SENDS = 5  # sends of one row in all: 2 + 4 + 8 + 16 minutes, then it is left to the
# watchdogs (an import is failed with a re-run button) and counted by /health/
TASK_ID_PREFIX = "outbox-"
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
        now = timezone.now()
        claimed = Outbox.objects.filter(pk=pk, sent_at__isnull=True).update(
            sent_at=now, started_at=now, attempts=F("attempts") + 1, sends=F("sends") + 1
        )
        if claimed:
            row = Outbox.objects.get(pk=pk)
            symbol_by_name(row.task).apply_async(args=row.args, kwargs=row.kwargs)
        return bool(claimed)
    if not broker_reachable():
        Outbox.objects.filter(pk=pk, sent_at__isnull=True).update(
            attempts=F("attempts") + 1, last_error="broker unreachable"
        )
        return False
    return _publish(Outbox.objects.filter(pk=pk, sent_at__isnull=True))


def _publish(rows) -> bool:
    """Publish the row ``rows`` finds (locked, SKIP LOCKED), and mark it sent."""
    Outbox = _model()
    error = None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True)
        row = rows.first()
        if row is None:
            return False
        pk = row.pk
        try:
            symbol_by_name(row.task).apply_async(
                args=row.args,
                kwargs=row.kwargs,
                retry=False,
                task_id=f"{TASK_ID_PREFIX}{row.pk}-{row.sends + 1}",
            )
        except Exception as exc:  # noqa: BLE001 - the broker refused: the row waits again
            if not _is_broker_error(exc):
                raise
            error = exc
        else:
            row.sent_at, row.attempts, row.last_error = timezone.now(), row.attempts + 1, ""
            row.sends += 1
            row.save(update_fields=["sent_at", "attempts", "sends", "last_error"])
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


def drain(limit: int = 500, now=None) -> int:
    """Send the oldest waiting rows, and again the rows sent but never started whose time
    has come; stop at the first broker failure. Returns how many went."""
    sent = 0
    waiting = _model().objects.filter(sent_at__isnull=True).order_by("created_at", "pk")
    for pk in waiting.values_list("pk", flat=True)[:limit]:
        if not send(pk):
            if not broker_reachable():
                return sent
            continue
        sent += 1
    for pk in _due_again(now or timezone.now(), limit):
        if not resend(pk):
            if not broker_reachable():
                break
            continue
        sent += 1
    return sent


def resend_after() -> float:
    from django.conf import settings

    return float(getattr(settings, "LIAISON_OUTBOX_RESEND_SECONDS", RESEND_AFTER))


def _due_again(now, limit: int) -> list[int]:
    """Rows sent, not started, and not sent again for RESEND_AFTER × 2^(sends − 1)."""
    first = resend_after()
    cutoff = now - timedelta(seconds=first)
    rows = (
        _model()
        .objects.filter(sent_at__lt=cutoff, started_at__isnull=True, sends__lt=MAX_SENDS)
        .order_by("sent_at")
        .values_list("pk", "sent_at", "sends")[:limit]
    )
    return [
        pk
        for pk, sent_at, sends in rows
        if now - sent_at >= timedelta(seconds=first * 2 ** max(sends - 1, 0))
    ]


def resend(pk: int) -> bool:
    """Send again a row that was sent and that no worker started."""
    if _eager() or not broker_reachable():
        return False
    return _publish(_model().objects.filter(pk=pk, sent_at__isnull=False, started_at__isnull=True))


def mark_started(task_id: str | None) -> None:
    """A worker took the task sent for an outbox row: the row is handed over for good."""
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return
    pk = task_id[len(TASK_ID_PREFIX) :].split("-", 1)[0]
    if pk.isdigit():
        _model().objects.filter(pk=int(pk), started_at__isnull=True).update(
            started_at=timezone.now()
        )


def waiting(ref: str) -> bool:
    """Is a task for ``ref`` still on its way to a worker: not sent yet, or sent and not
    started while the drain will still send it again?"""
    from django.db.models import Q

    return (
        _model()
        .objects.filter(ref=ref, started_at__isnull=True)
        .filter(Q(sent_at__isnull=True) | Q(sends__lt=MAX_SENDS))
        .exists()
    )


def lost(now=None) -> int:
    """Rows sent and not started for longer than RESEND_AFTER (for /health/)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=resend_after())
    return _model().objects.filter(sent_at__lt=cutoff, started_at__isnull=True).count()
