"""Bulk writes (seeding, roster import): writes, each one audited transaction."""

from __future__ import annotations

from django.utils.translation import gettext as _

from foundation import audit
from liaison.models import (
    Household,
    Pairing,
    category_mask,
)
from responsibility_areas.models import Area, common_path

from ._base import HOUSEHOLD_LEVELS, LiaisonError, _full_clean, _require_visible  # noqa: F401
from .households import _set_identity, checked_id_number, checked_mobile, initials  # noqa: F401


def prepared_household(
    *,
    area: Area,
    head_name: str,
    id_number: str,
    phone: str = "",
    members: int = 1,
    address: str = "",
    categories=(),
    party_member: bool = False,
) -> Household:
    """A validated, unsaved household (raises LiaisonError naming the field at fault)."""
    if area.level not in HOUSEHOLD_LEVELS:
        raise LiaisonError(
            "bad_area", _("A household belongs to a village, community or village group."), "area"
        )
    id_number, phone = checked_id_number(id_number), checked_mobile(phone)
    household = Household(
        head_name=head_name.strip(),
        name_initials=initials(head_name),
        members=members,
        address=address,
        categories=category_mask(categories),
        party_member=party_member,
    )
    household.place_in(area)
    _set_identity(household, id_number, phone)
    return household


@audit.service
def bulk_register_households(*, actor, households: list[Household], actor_name: str = "") -> int:
    """Insert prepared households whose ID number is not registered yet; returns how many.

    Idempotent: households already registered (same keyed hash) are skipped.
    """
    hashes = [h.id_number_hash for h in households]
    known = set(
        Household.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", flat=True)
    )
    new = [h for h in households if h.id_number_hash not in known]
    Household.objects.bulk_create(new, batch_size=1000)
    if new:
        audit.record(
            actor=actor,
            actor_name=actor_name,
            action="household.bulk_registered",
            area_path=common_path(h.area_path for h in new),
            data={"created": len(new)},
        )
    else:
        audit.nothing_changed()
    return len(new)


@audit.service
def bulk_pair(*, actor, pairs: list[tuple], actor_name: str = "") -> int:
    """Create (cadre, household, kind, start_date) pairings not already open; returns how many."""
    open_keys = set(
        Pairing.objects.filter(
            end_date__isnull=True, household__in=[p[1] for p in pairs]
        ).values_list("cadre_id", "household_id")
    )
    new = []
    for cadre, household, kind, start in pairs:
        if (cadre.pk, household.pk) in open_keys:
            continue
        open_keys.add((cadre.pk, household.pk))
        pairing = Pairing(
            cadre=cadre,
            household=household,
            kind=kind,
            start_date=start,
            area=household.area,
            area_path=household.area_path,
            county_id=household.county_id,
            township_id=household.township_id,
        )
        new.append(pairing)
    Pairing.objects.bulk_create(new, batch_size=1000)
    if new:
        audit.record(
            actor=actor,
            actor_name=actor_name,
            action="pairing.bulk_created",
            area_path=common_path(p.area_path for p in new),
            data={"created": len(new)},
        )
    else:
        audit.nothing_changed()
    return len(new)
