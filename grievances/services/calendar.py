"""The working calendar and the deadline rules: an administrator's calendar, a county's rules."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from foundation import audit

from ..deadlines import forget_calendar
from ..models import WorkCalendarDay, WorkCalendarYear
from ._base import MatterError


def _administer(actor) -> None:
    from responsibility_areas.permissions import Action, may_at_the_root

    if actor is not None and not may_at_the_root(actor, Action.ADMINISTER):
        raise MatterError("not_allowed", _("Only an administrator keeps the working calendar."))


@audit.service
def save_calendar_day(*, actor, day: date, workday: bool, name: str = "") -> WorkCalendarDay:
    """A holiday on a weekday (``workday=False``) or a make-up workday on a weekend."""
    _administer(actor)
    if workday == (day.weekday() < 5):
        raise MatterError(
            "not_an_exception",
            _("A weekday is a working day and a weekend day is not: enter only exceptions."),
            "workday",
        )
    row, _created = WorkCalendarDay.objects.update_or_create(
        day=day, defaults={"workday": workday, "name": name.strip()[:50]}
    )
    audit.record(
        actor=actor,
        action="calendar.day_saved",
        obj=row,
        data={"day": day.isoformat(), "workday": workday, "name": row.name},
    )
    forget_calendar()
    return row


@audit.service
def remove_calendar_day(*, actor, day: WorkCalendarDay) -> None:
    _administer(actor)
    audit.record(actor=actor, action="calendar.day_removed", data={"day": day.day.isoformat()})
    day.delete()
    forget_calendar()


@audit.service
def confirm_calendar_year(*, actor, year: int, source: str = "") -> WorkCalendarYear:
    """The year's holidays and make-up days are all entered: deadlines may count on it."""
    _administer(actor)
    row, created = WorkCalendarYear.objects.get_or_create(
        year=year,
        defaults={
            "source": source or _("entered by an administrator"),
            "confirmed_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    if created:
        audit.record(actor=actor, action="calendar.year_confirmed", obj=row, data={"year": year})
    else:
        audit.nothing_changed()
    forget_calendar()
    return row


@audit.service
def set_deadline_rule(
    *, actor, county, level: str, kind: str, days: int | None, working_days: bool = False
):
    """A county's own deadline for a level (and kind) — or, with ``days`` None, back to the
    default. Set by those who approve in the county (its leaders)."""
    from responsibility_areas.models import Level
    from responsibility_areas.permissions import Action, may

    from ..models import DeadlineRule, HandlingLevel

    if county.level != Level.COUNTY:
        raise MatterError("not_a_county", _("Deadlines are set per county."), "county")
    if actor is not None and not may(actor, Action.APPROVE, county):
        raise MatterError("not_allowed", _("Only the county's leaders set its deadlines."))
    if level not in HandlingLevel.values or level == HandlingLevel.ABOVE:
        raise MatterError("bad_level", _("Choose the village, township or county level."), "level")
    if days is None:
        DeadlineRule.objects.filter(county=county, level=level, kind=kind).delete()
    else:
        if not 1 <= days <= 365:
            raise MatterError("bad_days", _("A deadline is 1 to 365 days."), "days")
        DeadlineRule.objects.update_or_create(
            county=county,
            level=level,
            kind=kind,
            defaults={"days": days, "working_days": working_days},
        )
    forget_calendar()  # this process at once; the others within a minute
    audit.record(
        actor=actor,
        action="deadline_rule.set",
        area_path=county.path,
        data={"level": level, "kind": kind, "days": days, "working_days": working_days},
    )
