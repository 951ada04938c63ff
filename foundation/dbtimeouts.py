"""Bounded waits on PostgreSQL: one held lock must not take the whole site down (issue 10 §5).

Every connection the product opens gets ``lock_timeout`` and ``statement_timeout`` for the
kind of process it is (settings ``LIAISON_DB_TIMEOUTS``): a web request gives up on a lock
after a few seconds and on a statement well before gunicorn's 30 s worker timeout; a Celery
worker waits longer (imports, rollups); management commands and migrations are not limited
(they set their own). A timeout in a web request becomes "系统繁忙，请稍后重试" (a 503 page,
or a 503 JSON answer under /api/) — see ``portal.middleware.BusyDatabaseMiddleware``.
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.db.backends.signals import connection_created


def process_kind() -> str:
    """web, worker or command: ``LIAISON_PROCESS`` if set, else guessed from the command line."""
    chosen = os.environ.get("LIAISON_PROCESS")
    if chosen:
        return chosen
    program = os.path.basename(sys.argv[0]) if sys.argv else ""
    if "celery" in program:
        return "worker"
    if "gunicorn" in program or "uwsgi" in program or "runserver" in sys.argv[1:2]:
        return "web"
    return "command"


def _apply(sender, connection, **kwargs):
    if connection.vendor != "postgresql":
        return
    lock_ms, statement_ms = settings.LIAISON_DB_TIMEOUTS.get(settings.LIAISON_PROCESS, (0, 0))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, false), "
            "set_config('statement_timeout', %s, false)",
            [f"{int(lock_ms)}ms", f"{int(statement_ms)}ms"],
        )


def install() -> None:
    connection_created.connect(_apply, dispatch_uid="liaison.db_timeouts")
