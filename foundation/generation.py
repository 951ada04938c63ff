"""A data generation number: moved on after every committed write, read by exact caches.

Every write goes through a service that records an audit event (``audit.record``); that
call schedules :func:`bump` for after the commit. A cache keyed by :func:`current` is then
exact: a figure cached before a write is never served after it.

On PostgreSQL the number is a sequence (``liaison_generation``), so every web and worker
process sees every other's writes, Redis or not; ``nextval`` takes no lock a transaction
could wait on. Elsewhere (the embedded SQLite default, one process) it is kept in the cache.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction

KEY = "liaison:generation"
SEQUENCE = "liaison_generation"


def current() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT last_value + CASE WHEN is_called THEN 0 ELSE -1 END FROM {SEQUENCE}"
            )
            return cursor.fetchone()[0]
    value = cache.get(KEY)
    if value is None:
        cache.add(KEY, 1, None)
        value = cache.get(KEY, 1)
    return value


def bump() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{SEQUENCE}')")
        return
    try:
        cache.incr(KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates
        cache.set(KEY, current() + 1, None)


def bump_after_commit() -> None:
    transaction.on_commit(bump)
