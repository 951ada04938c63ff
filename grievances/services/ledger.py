"""The monthly ledger: per area and month, recomputed from the matters, rolled up the tree.

The database groups the matters by ``area_path`` (one scan, no loop over matters); each
area's counts are then added to its ancestors by path prefix — a loop over the ~15k
grouped areas, every count being additive. (One GROUP BY per ancestor level, on a
prefix of the path, gave the same figures but scanned the matters six times: 8 s
instead of under 5 s for a province.) Rows are upserted on (area, month) and rows of
areas that no longer have anything are removed, so a re-run replaces the month exactly.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from foundation import audit, joblock
from foundation.rollup import roll_up
from responsibility_areas.models import Area

from .. import indicators
from ..models import LedgerMonth, Matter

COUNTS = ("new", "resolved", "explained", "closed_out", "pending", "overdue")


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def rollup_day(month: date) -> int:
    """The day the month's ledger is made: the configured day, or the last day if earlier."""
    return min(settings.GRIEVANCE_ROLLUP_DAY, month_bounds(month)[1].day)


def is_rollup_day(day: date) -> bool:
    return day.day == rollup_day(day)


def _rolled_up(own: dict[str, dict]) -> dict[str, dict]:
    return roll_up(own, Area.steplen)


def _ledger_row(area_id, path, month, row, now) -> LedgerMonth:
    figures = indicators.finish(row or {})
    return LedgerMonth(
        area_id=area_id,
        area_path=path,
        month=month,
        computed_at=now,
        **{name: figures[name] for name in COUNTS},
        escalated=figures["escalated"],
        done=figures["done"],
        on_time=figures["on_time"],
        overdue_open=figures["overdue_open"],
        days_total=figures["days"],
        by_kind=(row or {}).get("by_kind") or {},
        by_topic=(row or {}).get("by_topic") or {},
        on_time_rate=round(figures["on_time"] / figures["done"], 4) if figures["done"] else None,
        avg_days_to_resolve=round(figures["days"] / figures["done"], 2)
        if figures["done"]
        else None,
    )


@audit.service
def rollup_ledger(*, month: date, now: datetime | None = None) -> int:
    """Compute the ledger of ``month`` for every area with matters and all its ancestors.

    Counts: new (received in the month), resolved / explained / closed out in the month,
    pending and overdue at the month's end (or today, for the current month), escalations
    in the month, on-time rate and average days to resolve of what was done in it.

    One run of a month at a time, each reading after the one before committed: a run that
    started earlier never writes its older figures over a later run's.
    """
    joblock.one_at_a_time(f"rollup_ledger:{month:%Y-%m}")
    now = now or timezone.now()
    start, end = month_bounds(month)
    as_of = min(end, timezone.localdate(now))
    own = indicators.own_counts(Matter.objects.all(), start, end, as_of)
    for path, row in indicators.breakdown_counts(Matter.objects.all(), start, end, as_of).items():
        own.setdefault(path, {}).update(row)
    grouped = _rolled_up(own)
    area_ids = dict(Area.objects.filter(path__in=grouped).values_list("path", "pk"))
    rows = [
        _ledger_row(area_ids[p], p, start, grouped[p], now)
        for p in sorted(grouped)
        if p in area_ids
    ]
    LedgerMonth.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["area", "month"],
        update_fields=[
            *COUNTS,
            "escalated",
            "done",
            "on_time",
            "overdue_open",
            "days_total",
            "by_kind",
            "by_topic",
            "on_time_rate",
            "avg_days_to_resolve",
            "computed_at",
            "area_path",
        ],
    )
    # Areas that had rows but no longer have anything this month: recomputing replaces.
    kept = [row.area_id for row in rows]
    removed, _ = LedgerMonth.objects.filter(month=start).exclude(area_id__in=kept).delete()
    audit.record(
        actor=None,
        action="ledger.rolled_up",
        actor_name="system",
        data={"month": start.isoformat(), "areas": len(rows), "removed": removed},
    )
    return len(rows)
