"""Audited services: every write runs in one transaction and leaves a record of who did what.

Services are our only write path, so the change log is written by the services
themselves, in the same transaction as the change (like pretix's ``log_action`` and
Zulip's ``do_*`` actions). We chose this over signal-based libraries
(django-simple-history, django-auditlog), which record nothing for ``queryset.update()``
and ``bulk_create()``, and over django-pghistory, whose triggers need PostgreSQL while
the embedded default runs SQLite.

``@service`` enforces the contract: a decorated function that returns without calling
:func:`record` (or :func:`nothing_changed`) is a programming error and its transaction is
rolled back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import transaction

from . import generation

F = TypeVar("F", bound=Callable[..., Any])

_frames: ContextVar[tuple[list[int], ...]] = ContextVar("audit_frames", default=())
# The events each running service recorded, written together when the outermost service
# is done (in its transaction): a diary with two matters wrote three rows one by one. A
# nested service that fails takes its events with it (its savepoint is rolled back).
_written: ContextVar[tuple[list, ...]] = ContextVar("audit_written", default=())


class UnauditedWrite(RuntimeError):
    """A service returned without recording what it did."""


def service(func: F) -> F:
    """Run ``func`` in one transaction and require that it records an audit event."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        frame, events = [0], []
        outer = _written.get()
        token = _frames.set(_frames.get() + (frame,))
        written = _written.set(outer + (events,))
        try:
            with transaction.atomic():
                result = func(*args, **kwargs)
                if frame[0] == 0:
                    raise UnauditedWrite(
                        f"{func.__module__}.{func.__qualname__} wrote no audit record"
                    )
                if outer:  # the enclosing service writes them with its own
                    outer[-1].extend(events)
                elif events:
                    _write(events)
            return result
        finally:
            _written.reset(written)
            _frames.reset(token)

    wrapper.is_service = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _mark() -> None:
    for frame in _frames.get():
        frame[0] += 1


def record(
    *,
    actor,
    action: str,
    obj=None,
    area_path: str = "",
    data: dict | None = None,
    actor_name: str = "",
):
    """Record one audit event in the current transaction and return it (inside a service it
    is written, with the others, before the outermost service's transaction commits)."""
    from foundation.models import AuditEvent

    event = AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_name or (actor.get_username() if getattr(actor, "pk", None) else "system"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        area_path=area_path or getattr(obj, "area_path", "") or "",
        data=data or {},
    )
    running = _written.get()
    if running:
        running[-1].append(event)  # written when the outermost service is done
    else:
        event.save()
    _mark()
    generation.bump_after_commit()  # exact caches (dashboards) drop what they held
    return event


def _write(events: list) -> None:
    from foundation.models import AuditEvent

    AuditEvent.objects.bulk_create(events)


def nothing_changed() -> None:
    """Declare that an idempotent service found nothing to change (no record needed)."""
    _mark()
