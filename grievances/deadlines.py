"""Deadlines (办结时限): calendar days or working days on China's official calendar.

Working days skip the statutory holidays and count the make-up workdays (调休), e.g.
a Sunday before National Day worked in exchange for a day of the holiday week. The
calendar comes from the ``chinesecalendar`` package, which knows the years the State
Council has published. For a year it does not know (``is_workday`` raises
``NotImplementedError``, e.g. next year before the notice is out), we fall back to
Monday–Friday: the deadline may then be off by the holidays of that year, and is
computed again whenever it is set anew (escalation, extension).
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from .models import DeadlineRule, HandlingLevel

# Used when the rule table has no row at all for a level (it is seeded by a migration).
FALLBACK_DAYS = {
    HandlingLevel.VILLAGE: 15,
    HandlingLevel.TOWNSHIP: 30,
    HandlingLevel.COUNTY: 60,
    HandlingLevel.ABOVE: 60,
}


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day in China (Mon–Fri for years the package lacks)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


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


def rule_for(level: str, kind: str) -> tuple[int, bool]:
    """(days, working_days) for a level and kind: the kind's own rule, else the level's."""
    rules = {r.kind: r for r in DeadlineRule.objects.filter(level=level, kind__in=[kind, ""])}
    rule = rules.get(kind) or rules.get("")
    if rule is None:
        return FALLBACK_DAYS[HandlingLevel(level)], False
    return rule.days, rule.working_days


def deadline_for(level: str, kind: str, start: date) -> date:
    """The deadline of a matter of ``kind`` handed to ``level`` on ``start``."""
    days, working = rule_for(level, kind)
    return add_days(start, days, working)


def deadline_table(start: date) -> dict[tuple[str, str], date]:
    """Every (level, kind) deadline from ``start``: the escalation sweep sets them in SQL."""
    from liaison.models import MatterKind

    return {
        (level, kind): deadline_for(level, kind, start)
        for level in HandlingLevel.values
        for kind in MatterKind.values
    }
