"""A web request's lock waits, bounded as a whole (issue 22 §2).

``lock_timeout`` bounds each wait for a lock, not the request: behind a held row the second
request waited 3 s in PostgreSQL's queue for the tuple and then 3 s for the row, the third
longer, and the site's few web threads were all spent waiting.

So every row a request locks on purpose is locked here: ``SELECT … FOR UPDATE NOWAIT`` in a
savepoint, tried again after a short, growing pause until the request's *budget* is spent
(``LIAISON_LOCK_BUDGET``, 3 s from the request's start, set by
``portal.middleware.LockBudgetMiddleware``). A refused NOWAIT never joins the queue, so a
request's wait does not grow with the number of requests behind it, and when the budget is
spent the request ends with :class:`LockBudgetSpent` — "系统繁忙，请稍后重试" (503), with
nothing written. The row is still held until the transaction ends, so numbers taken under
it (the ledger's per-county counter) stay gapless.

Outside a request (Celery workers, commands) there is no budget: the lock is waited for as
before, bounded by the process's ``lock_timeout`` (``foundation.dbtimeouts``).
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import OperationalError, connection, transaction
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError

LOCK_NOT_AVAILABLE = "55P03"
_deadline: ContextVar[float | None] = ContextVar("lock_budget_deadline", default=None)


class LockBudgetSpent(OperationalError):
    """The request's lock budget ran out while a row it needs was held by another."""


@contextmanager
def budget(seconds: float):
    """Within this block, locks taken here are waited for ``seconds`` in all, at most."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds of the current budget left (``None``: no budget here)."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def lock_one(queryset: QuerySet):
    """``queryset.select_for_update().get()``, within the request's budget."""
    return _locked(queryset, lambda rows: rows.get())


def lock_first(queryset: QuerySet):
    """``queryset.select_for_update().first()`` (``None`` if nothing matches), within budget."""
    return _locked(queryset, lambda rows: rows.first())


def take_next(model, column: str, **where) -> int | None:
    """Add one to ``column`` of the row ``where`` finds and return the new value — the row
    stays locked until the transaction ends (a counter: numbers without gaps). One
    statement (``UPDATE … WHERE id = (SELECT … FOR UPDATE NOWAIT) RETURNING``), within the
    request's budget like :func:`lock_one`. ``None`` if no row matches."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("a row is locked only inside the caller's transaction")
    table, qn = model._meta.db_table, connection.ops.quote_name
    conditions = " AND ".join(f"{qn(name)} = %s" for name in where)
    params = list(where.values())
    if connection.vendor != "postgresql":
        picked = f"SELECT id FROM {qn(table)} WHERE {conditions}"
    else:
        nowait = " NOWAIT" if remaining() is not None else ""
        picked = f"SELECT id FROM {qn(table)} WHERE {conditions} FOR UPDATE{nowait}"
    sql = (
        f"UPDATE {qn(table)} SET {qn(column)} = {qn(column)} + 1 "
        f"WHERE id = ({picked}) RETURNING {qn(column)}"
    )

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return row[0] if row else None

    return _retried(run, table)


def _retried(run, label: str):
    """``run()``; under a budget on PostgreSQL, in a savepoint, again after a refused NOWAIT
    until the budget is spent."""
    if remaining() is None or connection.vendor != "postgresql":
        return run()
    pause = 0.005
    while True:
        try:
            with transaction.atomic():  # a savepoint: a refused NOWAIT must not end ours
                return run()
        except OperationalError as exc:
            if getattr(exc.__cause__, "pgcode", None) != LOCK_NOT_AVAILABLE:
                raise
        left = remaining()
        if left <= 0:
            raise LockBudgetSpent(f"{label}: a row stayed locked")
        time.sleep(min(left, random.uniform(pause / 2, pause)))
        pause = min(pause * 2, 0.08)


def _locked(queryset: QuerySet, take):
    if not connection.in_atomic_block:
        raise TransactionManagementError("a row is locked only inside the caller's transaction")
    if remaining() is None or connection.vendor != "postgresql":
        return take(queryset.select_for_update())
    return _retried(
        lambda: take(queryset.select_for_update(nowait=True)), queryset.model._meta.label
    )
