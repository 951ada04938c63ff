"""Reads that can leave the primary: dashboards, exports and reports.

Code that only reads and may lag the primary by a moment wraps itself in
:func:`replica_reads` (a decorator or a context manager); inside it, reads of every model go
to the ``replica`` alias when ``settings.LIAISON_READ_REPLICA`` is on (``DATABASE_REPLICA_URL``
set). Writes always go to the primary, and so does everything outside such a block — a
clerk who just saved a diary reads it back from where it was written.
"""

from __future__ import annotations

import contextlib
import functools
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


def enabled() -> bool:
    return bool(getattr(settings, "LIAISON_READ_REPLICA", False)) and REPLICA in settings.DATABASES


def read_alias() -> str:
    """The alias reads should use right now."""
    return REPLICA if _reading.get() and enabled() else "default"


def read_connection():
    """The connection for raw SQL reads (``connection.cursor()`` would be the primary)."""
    return connections[read_alias()]


@contextlib.contextmanager
def _block():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(func=None):
    """``@replica_reads`` on a read-only view, or ``with replica_reads():`` around reads."""
    if func is None:
        return _block()

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _block():
            return func(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() and enabled() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two doors

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
