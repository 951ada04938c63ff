"""Is a run of this job alive? A PostgreSQL advisory lock held by the run that works on it.

A worker killed with ``kill -9`` drops its database connection, and PostgreSQL releases the
lock at once; a redelivered task (acks_late) then finds the lock free and knows the earlier
run is dead — its one write transaction rolled back — so it starts the job again. A live
run keeps the lock, and a second delivery leaves the job to it. On SQLite (the embedded
default, tasks in-process) there is one process: the lock always succeeds.
"""

from __future__ import annotations

import zlib
from contextlib import contextmanager

from django.db import connection

NAMESPACE = 0x4C49  # "LI": keeps our keys apart from any other advisory locks
SERIAL_NAMESPACE = 0x4C53  # "LS": named work that runs one at a time
SERIAL_WAIT = "15min"  # how long a run waits for the one before it (a rollup: seconds)


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


def one_at_a_time(name: str) -> None:
    """Wait for any other run of ``name`` to end, then hold it until our transaction ends.

    For recomputations that replace what they find (the monthly rollups): two runs at
    once could let the one that read older rows write last. In turn, each run reads after
    the one before it committed, so a later run always writes newer figures. Call it
    first in the transaction, before reading anything.
    """
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time anyway
    key = zlib.crc32(name.encode()) & 0x7FFFFFFF
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        usual = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [SERIAL_WAIT])
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SERIAL_NAMESPACE, key])
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [usual])
