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
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from liaison.lib import audit
from responsibility_areas.models import Area

from ..models import LedgerMonth, Matter, MatterEvent, Outcome

COUNTS = ("new", "resolved", "explained", "closed_out", "pending", "overdue")


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def rollup_day(month: date) -> int:
    """The day the month's ledger is made: the configured day, or the last day if earlier."""
    return min(settings.GRIEVANCE_ROLLUP_DAY, month_bounds(month)[1].day)


def is_rollup_day(day: date) -> bool:
    return day.day == rollup_day(day)


def _metrics(start: date, end: date, as_of: date) -> dict:
    in_month = Q(resolved_on__gte=start, resolved_on__lte=end)
    open_then = Q(resolved_on__isnull=True) | Q(resolved_on__gt=as_of)
    return {
        "new": Count("id", filter=Q(received_on__gte=start)),
        "resolved": Count("id", filter=in_month & Q(outcome=Outcome.RESOLVED)),
        "explained": Count("id", filter=in_month & Q(outcome=Outcome.EXPLAINED)),
        "closed_out": Count("id", filter=Q(closed_on__gte=start, closed_on__lte=end)),
        "pending": Count("id", filter=open_then),
        "overdue": Count("id", filter=open_then & Q(deadline__lt=as_of)),
        # On time: done by the deadline of the level that first had it (never escalated).
        "on_time": Count(
            "id", filter=in_month & Q(resolved_on__lte=F("deadline"), escalation_count=0)
        ),
        "done": Count("id", filter=in_month),
        "days": Sum("days_to_resolve", filter=in_month),
    }


def _by_area_path(start: date, end: date, as_of: date) -> dict[str, dict]:
    """One GROUP BY area_path over the matters: the counts of each area's own matters."""
    rows = (
        Matter.objects.order_by()
        .filter(received_on__lte=as_of)
        .values("area_path")
        .annotate(**_metrics(start, end, as_of))
    )
    return {row.pop("area_path"): row for row in rows}


def _escalations_by_area_path(start: date, end: date) -> dict[str, int]:
    since = timezone.make_aware(datetime.combine(start, time.min))
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    rows = (
        MatterEvent.objects.order_by()
        .filter(action="escalated", at__gte=since, at__lt=until)
        .values("matter__area_path")
        .annotate(n=Count("id"))
    )
    return {row["matter__area_path"]: row["n"] for row in rows}


def _rolled_up(own: dict[str, dict]) -> dict[str, dict]:
    """Add every area's counts to each of its ancestors (a loop over areas, not matters)."""
    totals: dict[str, dict] = {}
    for path, row in own.items():
        for width in range(Area.steplen, len(path) + 1, Area.steplen):
            total = totals.setdefault(path[:width], dict.fromkeys(row, 0))
            for name, value in row.items():
                total[name] += value or 0
    return totals


def _ledger_row(area_id, path, month, row, escalated, now) -> LedgerMonth:
    done = row["done"] if row else 0
    return LedgerMonth(
        area_id=area_id,
        area_path=path,
        month=month,
        computed_at=now,
        escalated=escalated,
        **{name: row[name] if row else 0 for name in COUNTS},
        on_time_rate=round(row["on_time"] / done, 4) if done else None,
        avg_days_to_resolve=round(row["days"] / done, 2) if done else None,
    )


@audit.service
def rollup_ledger(*, month: date, now: datetime | None = None) -> int:
    """Compute the ledger of ``month`` for every area with matters and all its ancestors.

    Counts: new (received in the month), resolved / explained / closed out in the month,
    pending and overdue at the month's end (or today, for the current month), escalations
    in the month, on-time rate and average days to resolve of what was done in it.
    """
    now = now or timezone.now()
    start, end = month_bounds(month)
    as_of = min(end, timezone.localdate(now))
    grouped = _rolled_up(_by_area_path(start, end, as_of))
    escalated = {
        p: row["n"]
        for p, row in _rolled_up(
            {p: {"n": n} for p, n in _escalations_by_area_path(start, end).items()}
        ).items()
    }
    paths = set(grouped) | set(escalated)
    area_ids = dict(Area.objects.filter(path__in=paths).values_list("path", "pk"))
    rows = [
        _ledger_row(area_ids[p], p, start, grouped.get(p), escalated.get(p, 0), now)
        for p in sorted(paths)
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
