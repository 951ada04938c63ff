"""Filing matters (numbers, deadlines, first-visit owner) and the state machine's table;
the transitions themselves are in ``transitions.py``."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foundation import audit, cleaning, locks
from liaison.models import Cadre, Household, Visit, VisitKind, VisitMatter
from responsibility_areas.models import AREAS_AT, Area, Level

from ..deadlines import deadline_for
from ..models import (
    AREA_HANDLING_LEVEL,
    DONE_STATUSES,
    OPEN_STATUSES,
    Matter,
    MatterCounter,
    MatterEvent,
    MatterSource,
    MatterStatus,
)
from ._base import (
    MatterError,
    responsible_cadre_id,
)

S = MatterStatus

# The state machine: action -> (statuses it may start from, status it leads to).
# ``None`` as target keeps the status (the deadline changes, not the state).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "start_work": ((S.REGISTERED, S.REPORTED_UP), S.IN_PROGRESS),
    "report_up": ((S.REGISTERED, S.IN_PROGRESS), S.REPORTED_UP),
    "resolve": (OPEN_STATUSES, S.RESOLVED),
    "explain": (OPEN_STATUSES, S.EXPLAINED),
    "record_feedback": (DONE_STATUSES, None),
    "close_out": (DONE_STATUSES, S.CLOSED_OUT),
    "reopen": ((S.RESOLVED, S.EXPLAINED, S.CLOSED_OUT), S.IN_PROGRESS),
    "extend_deadline": (OPEN_STATUSES, None),
}

ACTION_LABELS = {
    "start_work": gettext_lazy("start work"),
    "report_up": gettext_lazy("report to the higher level"),
    "resolve": gettext_lazy("resolve"),
    "explain": gettext_lazy("close with an explanation"),
    "record_feedback": gettext_lazy("record the household's feedback"),
    "close_out": gettext_lazy("close out"),
    "reopen": gettext_lazy("reopen"),
    "extend_deadline": gettext_lazy("extend the deadline"),
}

# How a visit diary's kind of visit maps to the source of a ledger matter.
VISIT_SOURCES = {
    VisitKind.HOME: MatterSource.HOME_VISIT,
    VisitKind.SITTING: MatterSource.DUTY_DAY,
    VisitKind.SYMPOSIUM: MatterSource.SYMPOSIUM,
    VisitKind.PHONE: MatterSource.HOTLINE,
    VisitKind.QUESTIONNAIRE: MatterSource.MAILBOX,
}

REPORTED_UP_TEXT = gettext_lazy(
    "Matter %(number)s was reported to your level (%(area)s); deadline %(deadline)s."
)
REOPENED_TEXT = gettext_lazy("Matter %(number)s was reopened: %(reason)s")


def handling_level_of(area: Area) -> str:
    return AREA_HANDLING_LEVEL[Level(area.level)]


def _county_id(area: Area) -> int | None:
    """The county a matter arising in ``area`` belongs to (whose deadline rules apply)."""
    county = area.nearest([Level.COUNTY])
    return county.pk if county is not None else None


def handling_tier(area: Area) -> Area:
    """The area that handles what arises in ``area``: a village group (组) is no handling
    tier of its own — its matters are its village's (the seeds' levels: village, township,
    county and up)."""
    if area.level == Level.GROUP:
        return area.nearest([Level.VILLAGE, Level.COMMUNITY]) or area
    return area


def _county_code(area: Area) -> str:
    county = area.nearest([Level.COUNTY])
    if county is None:
        return "000000"
    return (county.division_code or "")[:6] or f"{county.pk:06d}"


def _next_number(area: Area, on: date) -> str:
    """The next number of the county and year, without gaps.

    The counter row is locked until our transaction ends: a rolled-back filing gives its
    number back, and two filings at once queue on the lock instead of sharing a number.
    """
    code = _county_code(area)
    last = locks.take_next(MatterCounter, "last", county_code=code, year=on.year)
    if last is None:  # the county's first matter of the year
        MatterCounter.objects.get_or_create(county_code=code, year=on.year)
        last = locks.take_next(MatterCounter, "last", county_code=code, year=on.year)
    return f"{code}-{on.year}-{last:06d}"


def _event(matter, *, actor, action, from_status, to_status, note="", data=None, at=None):
    return MatterEvent.objects.create(
        matter=matter,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor.get_username() if getattr(actor, "pk", None) else "system",
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _full_clean(matter: Matter) -> None:
    try:
        cleaning.full_clean(matter, exclude=["number", "visit_matter"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise MatterError("invalid", " ".join(messages), field) from exc


@audit.service
def file_matter(
    *,
    actor,
    owner: Cadre,
    description: str,
    kind: str,
    source: str,
    received_on: date,
    area: Area | None = None,
    applicant: Household | None = None,
    applicant_name: str = "",
    topic: str = "",
    handling_area: Area | None = None,
    visit_matter: VisitMatter | None = None,
    scope_checked: bool = False,
) -> Matter:
    """Enter a matter in the ledger; ``owner`` (the first visitor) stays its owner to the end.

    ``area`` defaults to the applicant household's area; the handling area to ``area``,
    its responsible cadre becomes the handler, and the deadline runs from ``received_on``.
    ``scope_checked``: the caller has decided ``actor`` may file here (a household's report
    taken in by its paired cadre); the actor is still who filed it.
    """
    if area is None:
        if applicant is None:
            raise MatterError("no_area", _("Say where the matter arose."), "area")
        area = applicant.area
    if applicant is not None and not applicant_name:
        applicant_name = applicant.head_name
    if not applicant_name.strip():
        raise MatterError("no_applicant", _("Name the applicant."), "applicant_name")
    if received_on > timezone.localdate():
        raise MatterError(
            "future_date", _("The date received cannot be in the future."), "received_on"
        )
    handling_area = handling_tier(handling_area or area)
    if actor is not None and not scope_checked:
        from liaison.services._base import LiaisonError, _require_visible

        try:
            _require_visible(actor, area)
        except LiaisonError as exc:
            raise MatterError(exc.code, exc.message, "area") from exc
    level = handling_level_of(handling_area)
    matter = Matter(
        owner=owner,
        applicant=applicant,
        applicant_name=applicant_name.strip(),
        description=description,
        kind=kind,
        topic=topic,
        source=source,
        received_on=received_on,
        level=level,
        handling_area=handling_area,
        handling_path=handling_area.path,
        handler_id=responsible_cadre_id(handling_area),
        deadline=deadline_for(level, kind, received_on, _county_id(area)),
        visit_matter=visit_matter,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    matter.place_in(area)
    _full_clean(matter)
    matter.number = _next_number(area, timezone.localdate())
    matter.save()
    _event(
        matter,
        actor=actor,
        action="filed",
        from_status="",
        to_status=S.REGISTERED,
        data={"owner": owner.name, "deadline": matter.deadline.isoformat()},
    )
    audit.record(
        actor=actor,
        action="matter.filed",
        obj=matter,
        data={"number": matter.number, "owner": owner.name, "kind": kind},
    )
    return matter


def _area_of(household, areas: dict) -> Area:
    if household.area_id not in areas:
        areas[household.area_id] = household.area
    return areas[household.area_id]


@audit.service
def ledger_visit_matters(*, actor, visit: Visit, written=None) -> list[Matter]:
    """Turn a diary's matters not solved on the spot into ledger matters, owned by the visitor.

    ``written``: the visit matters the diary has just written (none is in the ledger yet),
    with their households and owner in hand; else they are read. Safe to call twice: a
    visit matter already in the ledger is skipped.
    """
    areas: dict[int, Area] = {visit.area_id: visit.area}  # one instance per area
    if written is not None:
        pending = [vm for vm in written if not vm.solved_on_spot]
        for vm in pending:
            if vm.household is not None and vm.household.area_id not in areas:
                (areas[vm.household.area_id],) = AREAS_AT(paths=[vm.household.area_path])
    else:
        pending = (
            VisitMatter.objects.filter(
                visit=visit, solved_on_spot=False, ledger_matter__isnull=True
            )
            .select_related("household__area", "owner")
            .order_by("pk")
        )
    matters = [
        file_matter(
            actor=actor,
            owner=vm.owner,
            description=vm.description,
            kind=vm.kind,
            topic=vm.topic,
            source=VISIT_SOURCES.get(visit.kind, MatterSource.HOME_VISIT),
            received_on=visit.visited_on,
            area=_area_of(vm.household, areas) if vm.household else visit.area,
            applicant=vm.household,
            applicant_name=vm.household.head_name if vm.household else visit.cadre.name,
            visit_matter=vm,
        )
        for vm in pending
    ]
    if not matters:
        audit.nothing_changed()
    return matters
