"""Cadres, pairings, responsibility: writes, each one audited transaction."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from foundation import audit, locks
from foundation.versioning import StaleEdit
from liaison.models import (
    Cadre,
    Household,
    Pairing,
    ResponsibilityAssignment,
)
from responsibility_areas.models import Area

from ._base import HOUSEHOLD_LEVELS, LiaisonError, _full_clean, _require_visible  # noqa: F401
from .households import checked_mobile  # noqa: F401


@audit.service
def register_cadre(
    *,
    actor,
    area: Area,
    name: str,
    rank: str,
    unit: str,
    post: str,
    phone: str,
    duties: str = "",
    is_leading: bool = False,
    user=None,
) -> Cadre:
    _require_visible(actor, area)
    phone = checked_mobile(phone)
    if not phone:
        raise LiaisonError(
            "bad_phone", _("A cadre needs a mobile number for the contact card."), "phone"
        )
    existing = Cadre.objects.filter(phone=phone).first()
    if existing:
        if actor is None or Cadre.objects.visible_to(actor).filter(pk=existing.pk).exists():
            raise LiaisonError(
                "duplicate_phone",
                _("Cadre %(name)s already uses this mobile number.") % {"name": existing.name},
                "phone",
                existing=existing,
            )
        # Outside the actor's scope: say that the number is taken, not by whom (no oracle).
        raise LiaisonError(
            "duplicate_phone",
            _("This mobile number is already registered; ask the administrator."),
            "phone",
        )
    cadre = Cadre(
        name=name.strip(),
        rank=rank,
        unit=unit,
        post=post,
        phone=phone,
        duties=duties,
        is_leading=is_leading,
        user=user,
    )
    cadre.place_in(area)
    _full_clean(cadre)
    cadre.save()
    audit.record(actor=actor, action="cadre.registered", obj=cadre, data={"name": cadre.name})
    return cadre


@audit.service
def pair_household(
    *, actor, cadre: Cadre, household: Household, kind: str, start_date: date | None = None
) -> Pairing:
    """Pair ``cadre`` with ``household``; an identical open pairing is left as it is."""
    _require_visible(actor, household.area)
    open_pairing = Pairing.objects.filter(
        cadre=cadre, household=household, end_date__isnull=True
    ).first()
    if open_pairing:
        audit.nothing_changed()
        return open_pairing
    pairing = Pairing(
        cadre=cadre, household=household, kind=kind, start_date=start_date or timezone.localdate()
    )
    pairing.place_in(household.area)
    _full_clean(pairing)
    pairing.save()
    audit.record(
        actor=actor,
        action="pairing.created",
        obj=pairing,
        data={"cadre": cadre.name, "household": household.head_name, "kind": kind},
    )
    return pairing


@audit.service
def end_pairing(*, actor, pairing: Pairing, end_date: date | None = None) -> Pairing:
    _require_visible(actor, pairing.area)
    end_date = end_date or timezone.localdate()
    if end_date < pairing.start_date:
        raise LiaisonError(
            "bad_dates", _("The end date cannot be before the start date."), "end_date"
        )
    # Conditional update: a pairing already ended by someone else stays as they left it.
    if not Pairing.objects.filter(pk=pairing.pk, end_date__isnull=True).update(end_date=end_date):
        raise LiaisonError("already_ended", _("This pairing has already ended."))
    pairing.end_date = end_date
    audit.record(
        actor=actor, action="pairing.ended", obj=pairing, data={"end_date": end_date.isoformat()}
    )
    return pairing


@audit.service
def assign_responsibility(
    *,
    actor,
    area: Area,
    cadre: Cadre,
    duty: str,
    start_date: date | None = None,
    replaces: int | None = None,
) -> ResponsibilityAssignment:
    """Make ``cadre`` the holder of ``duty`` for ``area``; the previous holder's term ends.

    ``replaces``: the id of the current term the page showed (0: none). If someone assigned
    another holder since, nothing changes and :class:`StaleEdit` says who holds it now. The
    current term is locked while it is replaced, so two assignments at once serialise.
    """
    _require_visible(actor, area)
    start_date = start_date or timezone.localdate()
    current = locks.lock_first(
        ResponsibilityAssignment.objects.filter(
            area=area, duty=duty, end_date__isnull=True
        ).select_related("cadre")
    )
    if replaces is not None and (current.pk if current else 0) != replaces:
        raise StaleEdit(current)
    if current and current.cadre_id == cadre.pk:
        audit.nothing_changed()
        return current
    if current and start_date < current.start_date:
        raise LiaisonError(
            "bad_dates",
            _("The new term cannot start before the present holder's (%(date)s).")
            % {"date": current.start_date.isoformat()},
            "start_date",
        )
    if current:
        ResponsibilityAssignment.objects.filter(pk=current.pk).update(end_date=start_date)
    assignment = ResponsibilityAssignment(cadre=cadre, duty=duty, start_date=start_date)
    assignment.place_in(area)
    _full_clean(assignment)
    assignment.save()
    audit.record(
        actor=actor,
        action="responsibility.assigned",
        obj=assignment,
        data={
            "cadre": cadre.name,
            "duty": duty,
            "previous": current.cadre.name if current else None,
        },
    )
    return assignment
