"""Deadlines (办结时限): calendar days or working days on China's official calendar.

Working days skip the statutory holidays and count the make-up workdays (调休), e.g.
a Sunday before National Day worked in exchange for a day of the holiday week. The
calendar is the administrator's table (``WorkCalendarYear``/``WorkCalendarDay``, seeded
from the ``chinesecalendar`` package for the years it knows). A year not in the table
counts Monday–Friday — never silently: :func:`unknown_years` names it, and the ledger and
``/health/`` show the warning until an administrator enters that year.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import DeadlineRule, HandlingLevel, WorkCalendarDay, WorkCalendarYear

# Each process keeps a year's exceptions this long (an administrator's edit also clears
# the process that made it at once; other processes follow within the minute).
_MEMO_SECONDS = 60
_memo: dict[int, tuple[float, dict[date, bool] | None]] = {}


_rules_memo: dict[tuple, tuple[float, tuple[int, bool]]] = {}


def forget_calendar() -> None:
    """Drop what this process remembers of the calendar and the rules (after a change;
    other processes read them again within ``_MEMO_SECONDS``)."""
    _memo.clear()
    _rules_memo.clear()


def _exceptions(year: int) -> dict[date, bool] | None:
    """{day: workday} of ``year``'s exceptions to Monday–Friday; None if the year is unknown."""
    seen = _memo.get(year)
    if seen is not None and time.monotonic() - seen[0] < _MEMO_SECONDS:
        return seen[1]
    if WorkCalendarYear.objects.filter(year=year).exists():
        days = dict(WorkCalendarDay.objects.filter(day__year=year).values_list("day", "workday"))
    else:
        days = None
    _memo[year] = (time.monotonic(), days)
    return days


def unknown_years(today: date | None = None) -> list[int]:
    """This year and the next (deadlines run into it from the autumn) when the calendar
    table lacks them: shown as a warning on the ledger and in ``/health/``."""
    today = today or timezone.localdate()
    horizon = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    return [year for year in horizon if _exceptions(year) is None]


# Used when the rule table has no row at all for a level (it is seeded by a migration).
FALLBACK_DAYS = {
    HandlingLevel.VILLAGE: 15,
    HandlingLevel.TOWNSHIP: 30,
    HandlingLevel.COUNTY: 60,
    HandlingLevel.ABOVE: 60,
}


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day: the table's exception, else Monday–Friday (also
    for a year the table lacks — see :func:`unknown_years`)."""
    exceptions = _exceptions(day.year) or {}
    return exceptions.get(day, day.weekday() < 5)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def add_days(start: date, days: int, working_days: bool) -> date:
    if working_days:
        return add_working_days(start, days)
    return start + timedelta(days=days)


def rule_for(level: str, kind: str, county_id: int | None = None) -> tuple[int, bool]:
    """(days, working_days) for a level and kind: the county's rule for the kind, its rule
    for the level, then the default's for the kind, for the level (matters handled above
    the county follow the default)."""
    if level == HandlingLevel.ABOVE:
        county_id = None
    key = (level, kind, county_id)
    seen = _rules_memo.get(key)
    if seen is not None and time.monotonic() - seen[0] < _MEMO_SECONDS:
        return seen[1]
    found = _rule_for(level, kind, county_id)
    _rules_memo[key] = (time.monotonic(), found)
    return found


def _rule_for(level: str, kind: str, county_id: int | None) -> tuple[int, bool]:
    rows = DeadlineRule.objects.filter(level=level, kind__in=[kind, ""]).filter(
        Q(county__isnull=True) | Q(county_id=county_id)
    )
    rules = {(r.county_id, r.kind): r for r in rows}
    for key in ((county_id, kind), (county_id, ""), (None, kind), (None, "")):
        if key in rules:
            rule = rules[key]
            break
    else:
        return FALLBACK_DAYS[HandlingLevel(level)], False
    return rule.days, rule.working_days


def deadline_for(level: str, kind: str, start: date, county_id: int | None = None) -> date:
    """The deadline of a matter of ``kind`` (arisen in ``county_id``) handed to ``level``
    on ``start``."""
    days, working = rule_for(level, kind, county_id)
    return add_days(start, days, working)


def deadline_table(start: date) -> dict[tuple[str, str, int | None], date]:
    """Every (level, kind, county) deadline from ``start`` — county None for the default,
    and one entry per county that set rules of its own: the escalation sweep sets them in
    SQL."""
    from liaison.models import MatterKind

    counties = [
        None,
        *DeadlineRule.objects.filter(county__isnull=False)
        .values_list("county_id", flat=True)
        .distinct(),
    ]
    return {
        (level, kind, county): deadline_for(level, kind, start, county)
        for county in counties
        for level in HandlingLevel.values
        for kind in MatterKind.values
    }
