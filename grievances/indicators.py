"""The ledger's figures, one definition each, for every page that shows them.

The dashboard, the home page, the monthly ledger, the API and the exports all read these
functions; the monthly rollup stores exactly these counts per area and month.

Definitions (a period is whole months, ``start``–``end``, standing at ``as_of``):

- **new**: received in the period.
- **open** (在办): received by ``as_of`` and not settled by then (settled = resolved or
  explained; a reopened matter is open again).
- **settled** (办结): resolved or explained in the period; **resolved** / **explained** split it.
- **late**: settled after its deadline, or escalated for lapsing on the way.
- **on time** (按时办结): settled in the period and not late. On-time rate = on time / settled.
- **overdue** (超期): open past its deadline at ``as_of``, or settled late in the period —
  "past its deadline when it was settled, or still open past it".
- **escalated** (升级督办): escalations in the period (a matter escalated twice counts twice).
- **closed out** (销号): closed out in the period.

The month in progress is counted live; closed months are read from ``LedgerMonth``,
which :func:`grievances.services.rollup_ledger` fills with the same expressions.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.periods import Period, month_end
from foundation.rollup import area_and_children, by_branch, by_month, newest
from responsibility_areas.models import Area

from .models import (
    DONE_STATUSES,
    JointMeeting,
    LedgerMonth,
    Matter,
    MatterEvent,
    MatterKind,
    Outcome,
    SupervisionNotice,
)

# Stored per area and month; "additive" ones add over months, the others stand at as_of.
ADDITIVE = ("new", "done", "on_time", "resolved", "explained", "closed_out", "escalated", "days")
STANDING = ("pending", "overdue_open")


def late_q() -> Q:
    return Q(resolved_on__gt=F("deadline")) | Q(escalation_count__gt=0)


def figure_q(name: str, start: date, end: date, as_of: date) -> Q:
    """The matters behind one figure of the period (the definitions above, in one place)."""
    settled = Q(resolved_on__gte=start, resolved_on__lte=min(end, as_of))
    open_then = Q(received_on__lte=as_of) & (Q(resolved_on__isnull=True) | Q(resolved_on__gt=as_of))
    since, until = _day_bounds(start, min(end, as_of))
    figures = {
        "new": lambda: Q(received_on__gte=start, received_on__lte=as_of),
        "pending": lambda: open_then,
        "overdue_open": lambda: open_then & Q(deadline__lt=as_of),
        "done": lambda: settled,
        "on_time": lambda: settled & ~late_q(),
        "late": lambda: settled & late_q(),
        "overdue": lambda: (open_then & Q(deadline__lt=as_of)) | (settled & late_q()),
        "resolved": lambda: settled & Q(outcome=Outcome.RESOLVED),
        "explained": lambda: settled & Q(outcome=Outcome.EXPLAINED),
        "closed_out": lambda: Q(closed_on__gte=start, closed_on__lte=min(end, as_of)),
        "escalated": lambda: Q(
            Exists(
                MatterEvent.objects.filter(
                    matter=OuterRef("pk"), action="escalated", at__gte=since, at__lt=until
                )
            )
        ),
    }
    return figures[name]()


FIGURES = {
    "new": _("New"),
    "pending": _("Open matters"),
    "overdue": _("Overdue"),
    "overdue_open": _("Open past the deadline"),
    "late": _("Settled late"),
    "done": _("Settled"),
    "on_time": _("Settled by the deadline"),
    "resolved": _("Resolved"),
    "explained": _("Explained"),
    "closed_out": _("Closed out"),
    "escalated": _("Escalated"),
}


def metrics(start: date, end: date, as_of: date) -> dict:
    """The aggregate expressions over matters (one GROUP BY computes them all)."""

    def count(name):
        return Count("id", filter=figure_q(name, start, end, as_of))

    return {
        **{name: count(name) for name in ADDITIVE if name not in ("escalated", "days")},
        **{name: count(name) for name in STANDING},
        "days": Sum("days_to_resolve", filter=figure_q("done", start, end, as_of)),
    }


def relevant_q(start: date, as_of: date) -> Q:
    """Matters that can count in a period: open at its end, or touched during it."""
    return Q(received_on__lte=as_of) & (
        Q(resolved_on__isnull=True)
        | Q(resolved_on__gte=start)
        | Q(closed_on__gte=start)
        | Q(received_on__gte=start)
    )


def _day_bounds(start: date, end: date):
    since = timezone.make_aware(datetime.combine(start, time.min))
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return since, until


def own_counts(
    matters,
    start: date,
    end: date,
    as_of: date,
    group_len: int | None = None,
    breakdown: dict | None = None,
) -> dict[str, dict]:
    """``matters`` grouped by area path (or by its first ``group_len`` characters).

    With ``breakdown`` (a dict to fill), the same scan also groups by kind and topic and
    leaves ``{"by_kind": {kind: [new, open, past]}, "by_topic": {...}}`` in it.
    """
    key = Substr("area_path", 1, group_len) if group_len else F("area_path")
    extra = ["kind", "topic"] if breakdown is not None else []
    rows = (
        matters.order_by()
        .filter(relevant_q(start, as_of))
        .annotate(key=key)
        .values("key", *extra)
        .annotate(**metrics(start, end, as_of))
    )
    result: dict[str, dict] = {}
    if breakdown is not None:
        breakdown.update({"by_kind": {}, "by_topic": {}})
    for row in rows:
        path = row.pop("key")
        if breakdown is not None:
            counts = [row[name] for name in BREAKDOWN]
            for field, part in (("kind", "by_kind"), ("topic", "by_topic")):
                value = row.pop(field)
                if any(counts):
                    before = breakdown[part].get(value, [0, 0, 0])
                    breakdown[part][value] = [a + b for a, b in zip(before, counts, strict=True)]
        into = result.setdefault(path, {})
        for name, value in row.items():
            into[name] = (into.get(name) or 0) + (value or 0)
    since, until = _day_bounds(start, min(end, as_of))
    ev_key = Substr("matter__area_path", 1, group_len) if group_len else F("matter__area_path")
    events = (
        MatterEvent.objects.order_by()
        .filter(action="escalated", at__gte=since, at__lt=until, matter__in=matters)
        .annotate(key=ev_key)
        .values("key")
        .annotate(n=Count("id"))
    )
    for row in events:
        result.setdefault(row["key"], {})["escalated"] = row["n"]
    for row in result.values():
        row.setdefault("escalated", 0)
        row["days"] = row.get("days") or 0
    return result


def finish(row: dict) -> dict:
    """Derived figures of a row of counts: overdue, late, rates."""
    row = {name: row.get(name) or 0 for name in (*ADDITIVE, *STANDING)}
    row["late"] = row["done"] - row["on_time"]
    row["overdue"] = row["overdue_open"] + row["late"]
    row["on_time_rate"] = round(100 * row["on_time"] / row["done"], 1) if row["done"] else None
    row["avg_days"] = round(row["days"] / row["done"], 1) if row["done"] else None
    return row


def _live(area: Area, month: date, as_of: date, breakdown: dict | None = None) -> dict[str, dict]:
    """The month in progress, live: ``area``'s own matters and each child branch's."""
    matters = Matter.objects.subtree_of(area)
    return own_counts(
        matters, month, month_end(month), as_of, len(area.path) + Area.steplen, breakdown
    )


def _stored(area: Area, months: list[date]) -> dict[date, tuple[dict[str, dict], datetime | None]]:
    """Months from the rollup, in one query: per month, the rows of ``area`` and its children."""
    if not months:
        return {}
    rows = (
        LedgerMonth.objects.filter(month__in=months, area_path__startswith=area.path)
        .annotate(width=Length("area_path"))
        .filter(width__lte=len(area.path) + Area.steplen)
    ).values("month", "area_path", "computed_at", *ADDITIVE[:-1], "days_total", *STANDING)
    return by_month(rows, {"days_total": "days"})


def ledger_figures(viewer, area: Area, period: Period) -> dict:
    """The ledger of ``area`` over ``period``: totals, per child area, and when computed.

    ``viewer`` must have ``area`` in scope (the caller fetched it through ``visible_to``).
    Returns ``{"total": row, "children": {child_path: row}, "computed_at": datetime|None}``
    where a row holds every figure of the module docstring.
    """
    total: dict = {}
    children: dict[str, dict] = {}
    computed_at = None
    breakdown = None
    months = [m for m in period.months if m <= period.as_of]
    live_here = area.depth >= settings.LIAISON_DASHBOARD_LIVE_DEPTH
    prefetched = _stored(area, [m for m in months if not (period.is_live(m) and live_here)])
    for index, month in enumerate(months):
        is_last = index == len(months) - 1
        as_of = min(month_end(month), period.as_of)
        if period.is_live(month) and live_here:
            if len(months) == 1:
                breakdown = {}
            own = _live(area, month, as_of, breakdown)
            # Rolled up, each own path counts towards the area and its child branch.
            month_total, month_children = by_branch(own, area.path, Area.steplen)
        else:
            stored, computed = prefetched.get(month, ({}, None))
            computed_at = newest(computed_at, computed)
            month_total, month_children = area_and_children(stored, area.path)
        _add_month(total, month_total, is_last)
        for path, row in month_children.items():
            _add_month(children.setdefault(path, {}), row, is_last)
    return {
        "total": finish(total),
        "children": {path: finish(row) for path, row in children.items()},
        "computed_at": computed_at,
        # A single live month: its new and open matters by kind and topic, from the same scan.
        "breakdown": breakdown,
    }


def _add_month(into: dict, row: dict, is_last: bool) -> None:
    for name in ADDITIVE:
        into[name] = into.get(name, 0) + (row.get(name) or 0)
    if is_last:  # standing figures: as at the period's end
        for name in STANDING:
            into[name] = row.get(name) or 0


BREAKDOWN = ("new", "pending", "overdue_open")


def breakdown_counts(
    matters, start: date, end: date, as_of: date, by_path: bool = True
) -> dict[str, dict]:
    """New, open and open-past-deadline matters per area path, by kind and by topic:
    ``{path: {"by_kind": {kind: [new, open, past]}, "by_topic": {topic: [...]}}}``.

    One GROUP BY (path, kind, topic); ``by_path=False`` groups the whole queryset under "".
    """
    expressions = metrics(start, end, as_of)
    wanted = {name: expressions[name] for name in BREAKDOWN}
    relevant = matters.order_by().filter(relevant_q(start, as_of))
    keys = ["area_path", "kind", "topic"] if by_path else ["kind", "topic"]
    result: dict[str, dict] = {}
    for row in relevant.values(*keys).annotate(**wanted):
        counts = [row[name] for name in BREAKDOWN]
        if not any(counts):
            continue
        into = result.setdefault(row.get("area_path", ""), {"by_kind": {}, "by_topic": {}})
        for field, part in (("kind", "by_kind"), ("topic", "by_topic")):
            before = into[part].get(row[field], [0, 0, 0])
            into[part][row[field]] = [a + b for a, b in zip(before, counts, strict=True)]
    return result


def _breakdown_rows(by_kind: dict, by_topic: dict) -> dict:
    kinds = dict(MatterKind.choices)

    def row(key, label, counts):
        return {"key": key, "label": label, **dict(zip(BREAKDOWN, counts, strict=True))}

    return {
        "by_kind": [row(k, kinds.get(k, k), by_kind[k]) for k in sorted(by_kind)],
        "by_topic": sorted(
            (row(t, t or "—", counts) for t, counts in by_topic.items()),
            key=lambda r: (-r["new"], r["key"]),
        )[:12],
    }


def by_kind_and_topic(viewer, area: Area, period: Period, figures: dict | None = None) -> dict:
    """New and still-open matters of the period by kind and by topic.

    Live for the month in progress of a county or smaller; otherwise the monthly rollup's
    breakdown (new summed over the months, open figures as at the period's end).
    """
    if figures is not None and figures.get("breakdown") is not None:
        found = figures["breakdown"]  # counted with the ledger's own figures, in one scan
        return _breakdown_rows(found["by_kind"], found["by_topic"])
    months = [m for m in period.months if m <= period.as_of]
    by_kind: dict = {}
    by_topic: dict = {}
    for index, month in enumerate(months):
        is_last = index == len(months) - 1
        as_of = min(month_end(month), period.as_of)
        if period.is_live(month) and area.depth >= settings.LIAISON_DASHBOARD_LIVE_DEPTH:
            matters = Matter.objects.visible_to(viewer).subtree_of(area)
            rows = breakdown_counts(matters, month, month_end(month), as_of, by_path=False)
            kinds = rows.get("", {}).get("by_kind", {})
            topics = rows.get("", {}).get("by_topic", {})
        else:
            stored = LedgerMonth.objects.filter(area=area, month=month).values(
                "by_kind", "by_topic"
            ).first() or {"by_kind": {}, "by_topic": {}}
            kinds, topics = stored["by_kind"], stored["by_topic"]
        for into, source in ((by_kind, kinds), (by_topic, topics)):
            for key, counts in source.items():
                before = into.get(key, [0, 0, 0])
                into[key] = [before[0] + counts[0], *(counts[1:] if is_last else before[1:])]
            if is_last:
                for key in set(into) - set(source):
                    into[key] = [into[key][0], 0, 0]
    return _breakdown_rows(by_kind, by_topic)


def overdue_now(viewer, area: Area, as_of: date):
    """Matters of the subtree still open and past their deadline on ``as_of`` — unlike the
    period's "overdue" figure, which also counts what was settled late. The ledger list's
    ``overdue=true`` (with ``area``) shows exactly these."""
    return Matter.objects.visible_to(viewer).subtree_of(area).overdue(as_of)


def oldest_overdue(viewer, area: Area, as_of: date, limit: int = 10) -> list:
    """The matters of :func:`overdue_now` open longest past their deadline, with owner and
    handler.

    The ten ids first (the open-deadline index, no joins: thousands of matters may share the
    oldest deadline), then their rows with the joins.
    """
    overdue = overdue_now(viewer, area, as_of)
    ids = list(overdue.order_by("deadline", "id").values_list("id", flat=True)[:limit])
    rows = Matter.objects.filter(pk__in=ids).select_related(
        "area", "owner", "handler", "handling_area"
    )
    return sorted(rows, key=lambda m: (m.deadline, m.pk))


def awaiting_close_out(viewer, area: Area):
    return Matter.objects.visible_to(viewer).subtree_of(area).filter(status__in=DONE_STATUSES)


def meetings_due(viewer, area: Area, today: date):
    """Townships and counties of the subtree whose joint meeting is due."""
    areas = Area.objects.visible_to(viewer).filter(path__startswith=area.path)
    return JointMeeting.objects.due_areas(areas, today)


def notices_open(viewer, area: Area):
    return SupervisionNotice.objects.visible_to(viewer).subtree_of(area).unanswered()


def ledger_trend(
    viewer, area: Area, months: list[date], today: date, current: dict | None = None
) -> list[dict]:
    """Month by month (closed ones from the rollup, the current one live): the ledger."""
    rows = []
    stored = {
        row["month"]: row
        for row in LedgerMonth.objects.filter(area=area, month__in=months).values(
            "month", *ADDITIVE[:-1], "days_total", *STANDING
        )
    }
    for month in months:
        if current is not None and month == today.replace(day=1):
            row = current  # the caller has the month in progress already
        elif month >= today.replace(day=1) and area.depth >= settings.LIAISON_DASHBOARD_LIVE_DEPTH:
            row = ledger_figures(viewer, area, Period(month, month, today))["total"]
        else:
            raw = stored.get(month, {})
            raw = {**raw, "days": raw.get("days_total", 0)}
            row = finish(raw)
        rows.append({"month": month, **row})
    return rows
