"""Is a run of this job alive? A PostgreSQL advisory lock held by the run that works on it.

A worker killed with ``kill -9`` drops its database connection, and PostgreSQL releases the
lock at once; a redelivered task (acks_late) then finds the lock free and knows the earlier
run is dead — its one write transaction rolled back — so it starts the job again. A live
run keeps the lock, and a second delivery leaves the job to it. On SQLite (the embedded
default, tasks in-process) there is one process: the lock always succeeds.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

NAMESPACE = 0x4C49  # "LI": keeps our keys apart from any other advisory locks


def _call(function: str, key: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [NAMESPACE, key])
        return bool(cursor.fetchone()[0])


def try_acquire(key: int) -> bool:
    if connection.vendor != "postgresql":
        return True
    return _call("pg_try_advisory_lock", key)


def release(key: int) -> None:
    if connection.vendor == "postgresql":
        _call("pg_advisory_unlock", key)


def is_held(key: int) -> bool:
    """Does some session hold the lock now (a live run)? Never blocks."""
    if connection.vendor != "postgresql":
        return False
    if _call("pg_try_advisory_lock", key):
        _call("pg_advisory_unlock", key)
        return False
    return True


@contextmanager
def holding(key: int):
    """``with holding(job.pk) as mine:`` — ``mine`` is False when a live run has it."""
    mine = try_acquire(key)
    try:
        yield mine
    finally:
        if mine:
            release(key)
