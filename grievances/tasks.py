"""Celery tasks: thin, each calls one service; safe to run twice or at the same time."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import outbox, services


@shared_task
def escalate_overdue() -> int:
    return services.escalate_overdue_matters(now=timezone.now())


@shared_task
def send_reminders() -> int:
    """Outside working hours this sends nothing; the next 09:00 run does (see the service)."""
    return services.send_deadline_reminders(now=timezone.now())


@shared_task
def rollup_ledger(month: str | None = None) -> int:
    """Roll up ``month`` (YYYY-MM); without it, this month (and last month on the 1st)."""
    if month:
        year, mon = (int(part) for part in month.split("-"))
        return services.rollup_ledger(
            month=timezone.localdate().replace(year=year, month=mon, day=1)
        )
    today = timezone.localdate()
    done = 0
    if today.day == 1:  # finalise last month with its last days included
        done += services.rollup_ledger(month=today - timedelta(days=1))
    # This month every night: larger areas' dashboards read it from the rollup.
    return done + services.rollup_ledger(month=today)


@shared_task
def drain_outbox() -> int:
    """Send what waited while Redis was down; the run is also the worker's heartbeat."""
    from foundation import heartbeat

    heartbeat.beat()
    return outbox.drain()
