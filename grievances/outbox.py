"""Queue tasks so that nothing a user did is lost when Redis is down.

``enqueue`` writes an Outbox row in the caller's transaction and, once it commits, tries
``.delay()``. With the broker gone ``.delay()`` raises ``kombu.exceptions.OperationalError``
after about 0.7 s: the row stays unsent and the periodic ``drain_outbox`` task (or the
``drain_outbox`` command) sends it later. A row sent twice is harmless: tasks are idempotent.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from kombu.utils.imports import symbol_by_name

from .models import Outbox

log = logging.getLogger(__name__)


def enqueue(task: str, args: list | tuple = ()) -> Outbox:
    """Record ``task(*args)`` in the current transaction; send it when the transaction commits."""
    row = Outbox.objects.create(task=task, args=list(args))
    transaction.on_commit(lambda: send(row.pk))
    return row


def send(pk: int) -> bool:
    """Try to hand one outbox row to the broker; True if it went."""
    row = Outbox.objects.filter(pk=pk, sent_at__isnull=True).first()
    if row is None:
        return False
    try:
        # Through the task object, so eager mode (no Redis) runs it in-process.
        symbol_by_name(row.task).apply_async(args=row.args)
    except OperationalError as exc:
        log.warning("broker unavailable, %s stays in the outbox: %s", row.task, exc)
        Outbox.objects.filter(pk=pk).update(attempts=row.attempts + 1, last_error=str(exc)[:300])
        return False
    Outbox.objects.filter(pk=pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=row.attempts + 1
    )
    return True


def drain(limit: int = 500) -> int:
    """Send the oldest unsent rows; stop at the first broker failure. Returns how many went."""
    sent = 0
    pending = Outbox.objects.filter(sent_at__isnull=True).order_by("created_at", "pk")
    for pk in pending.values_list("pk", flat=True)[:limit]:
        if not send(pk):
            break
        sent += 1
    return sent
