"""Visit diaries: writes, each one audited transaction."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from foundation import audit, scoping
from liaison import seams
from liaison.models import (
    Cadre,
    Visit,
    VisitHousehold,
    VisitMatter,
)
from liaison.selectors import cadre_only
from responsibility_areas.models import AREAS_AT, Area, common_path

from ._base import HOUSEHOLD_LEVELS, LiaisonError, _full_clean, _require_visible  # noqa: F401


def _common_area(households) -> Area:
    """The lowest area enclosing every household visited (village, or township, ...)."""
    (area,) = AREAS_AT(paths=[common_path(h.area_path for h in households)])
    return area


def _require_cadre(actor, cadre: Cadre) -> None:
    """A diary is entered for a cadre in the actor's scope, or by the cadre themselves."""
    if actor is None or getattr(actor, "cadre", None) == cadre:
        return
    if cadre_only(actor):
        raise LiaisonError(
            "forbidden", _("A cadre can enter diaries only for themselves."), "cadre"
        )
    if not scoping.sees(actor, cadre.area_path):
        raise LiaisonError("out_of_scope", _("This cadre is outside your responsibility."), "cadre")


@audit.service
def record_visit(
    *,
    actor,
    cadre: Cadre,
    visited_on: date,
    kind: str,
    households,
    notes: dict | None = None,
    matters=(),
    place: str = "",
    stay_days: int = 0,
) -> Visit:
    """Write a diary entry for ``households``; ``matters`` are dicts of VisitMatter fields.

    ``actor`` is who typed it (a clerk may type for the cadre): kept apart from the visitor.
    """
    households = list({h.pk: h for h in households}.values())  # each household once
    if not households:
        raise LiaisonError("no_households", _("Choose at least one household."), "households")
    if visited_on > timezone.localdate():
        raise LiaisonError(
            "future_date", _("The date of the visit cannot be in the future."), "visited_on"
        )
    _require_cadre(actor, cadre)
    for household in households:
        _require_visible(actor, household.area_path)
    visit = Visit(
        cadre=cadre,
        entered_by=actor,
        visited_on=visited_on,
        kind=kind,
        place=place,
        stay_days=stay_days,
        **(notes or {}),
    )
    visit.place_in(_common_area(households))
    _full_clean(visit)
    visit.save()
    VisitHousehold.objects.bulk_create(
        VisitHousehold(visit=visit, household=h, visited_on=visited_on) for h in households
    )
    created, rows = _record_matters(visit, cadre, households, matters)
    # What was just written is what the caller shows: no second read of it.
    visit._prefetched_objects_cache = {
        "households": _known(visit.households, households),
        "matters": _known(visit.matters, rows),
    }
    audit.record(
        actor=actor,
        action="visit.recorded",
        obj=visit,
        data={"cadre": cadre.name, "households": len(households), "matters": created},
    )
    return visit


def _record_matters(visit: Visit, cadre: Cadre, households, matters) -> tuple[int, list]:
    allowed = {h.pk for h in households}
    rows = []
    for matter in matters:
        household = matter.get("household")
        if household is not None and household.pk not in allowed:
            raise LiaisonError(
                "bad_matter", _("A matter must concern one of the visited households."), "matters"
            )
        row = VisitMatter(
            visit=visit,
            owner=cadre,
            household=household,
            kind=matter["kind"],
            topic=matter.get("topic", ""),
            description=matter["description"],
            solved_on_spot=matter.get("solved_on_spot", False),
            resolution=matter.get("resolution", ""),
        )
        if row.solved_on_spot and not row.resolution.strip():
            raise LiaisonError(
                "no_resolution", _("Say how a matter solved on the spot was solved."), "matters"
            )
        _full_clean(row, exclude=["visit"])
        rows.append(row)
    VisitMatter.objects.bulk_create(rows)
    # Matters not solved on the spot enter the ledger now, in this transaction (the
    # grievance ledger registers itself at this seam; see liaison.seams).
    seams.visit_matters_recorded(actor=visit.entered_by, visit=visit, written=rows)
    return len(rows), rows


def _known(manager, rows):
    """A related manager's rows as a prefetch would hold them."""
    queryset = manager.all()
    queryset._result_cache, queryset._prefetch_done = list(rows), True
    return queryset
