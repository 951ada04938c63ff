"""Households: writes, each one audited transaction."""

from __future__ import annotations

from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from foundation import audit, crypto
from foundation.identity import check_id_number, check_mobile, mask_id_number, mask_mobile
from foundation.versioning import claim
from liaison.models import (
    Household,
    category_mask,
)
from responsibility_areas.models import Area

from ._base import HOUSEHOLD_LEVELS, LiaisonError, _full_clean, _require_visible  # noqa: F401


def checked_id_number(raw: str) -> str:
    checked = check_id_number(raw)
    if not checked.ok:
        raise LiaisonError("bad_id_number", checked.error, "id_number")
    return checked.value


def checked_mobile(raw: str, field: str = "phone") -> str:
    if not str(raw or "").strip():
        return ""
    checked = check_mobile(raw)
    if not checked.ok:
        raise LiaisonError("bad_phone", checked.error, field)
    return checked.value


def _set_identity(household: Household, id_number: str, phone: str) -> None:
    household.id_number_encrypted = crypto.encrypt(id_number)
    household.id_number_hash = crypto.blind_index(id_number)
    household.id_last4 = id_number[-4:]
    household.id_number_masked = mask_id_number(id_number)
    household.phone_encrypted = crypto.encrypt(phone)
    household.phone_last4 = phone[-4:]
    household.phone_masked = mask_mobile(phone) if phone else ""


def initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).upper()[:20]


def find_household_by_id_number(id_number: str) -> Household | None:
    """Exact lookup through the keyed hash (no decryption)."""
    return Household.objects.filter(id_number_hash=crypto.blind_index(id_number)).first()


def _duplicate_error(actor, existing: Household) -> LiaisonError:
    visible = actor is None or Household.objects.visible_to(actor).filter(pk=existing.pk).exists()
    if visible:
        message = _("This ID number is already registered: household of %(name)s in %(area)s.") % {
            "name": existing.head_name,
            "area": existing.area.name,
        }
        return LiaisonError("duplicate_id", message, "id_number", existing=existing)
    return LiaisonError(
        "duplicate_id",
        _(
            "This ID number is already registered in another area; "
            "ask the county administrator to transfer the household."
        ),
        "id_number",
    )


@audit.service
def register_household(
    *,
    actor,
    area: Area,
    head_name: str,
    id_number: str,
    phone: str = "",
    members: int = 1,
    address: str = "",
    categories=(),
    party_member: bool = False,
) -> Household:
    _require_visible(actor, area)
    if area.level not in HOUSEHOLD_LEVELS:
        raise LiaisonError(
            "bad_area", _("A household belongs to a village, community or village group."), "area"
        )
    id_number = checked_id_number(id_number)
    phone = checked_mobile(phone)
    existing = find_household_by_id_number(id_number)
    if existing:
        raise _duplicate_error(actor, existing)
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
    _full_clean(household)
    household.save()
    audit.record(
        actor=actor,
        action="household.registered",
        obj=household,
        data={"head_name": household.head_name, "id": household.id_number_masked},
    )
    return household


@audit.service
def update_household(
    *,
    actor,
    household: Household,
    head_name: str,
    members: int,
    address: str,
    phone: str | None = None,
    categories=(),
    party_member: bool = False,
    area: Area | None = None,
    version: int | None = None,
) -> Household:
    """Change a household as the caller saw it at ``version`` (stale → ``StaleEdit``).

    ``phone=None`` keeps the stored phone (the edit page never shows it in full); ``""``
    clears it on purpose; a number replaces it.
    """
    _require_visible(actor, household.area)
    changed = []
    new_area = area if area is not None and area.pk != household.area_id else None
    if new_area is not None:
        _require_visible(actor, new_area)
        changed.append("area")
    if phone is not None:
        phone = checked_mobile(phone)
        if crypto.decrypt(household.phone_encrypted) != phone:
            changed.append("phone")
    values = {
        "head_name": head_name.strip(),
        "members": members,
        "address": address,
        "party_member": party_member,
        "categories": category_mask(categories),
    }
    changed += [name for name, value in values.items() if getattr(household, name) != value]
    claim(household, version, changes=bool(changed))
    if not changed:
        audit.nothing_changed()
        return household
    before = _shown(household, changed)
    if new_area is not None:
        household.place_in(new_area)
    if "phone" in changed:
        household.phone_encrypted = crypto.encrypt(phone)
        household.phone_last4 = phone[-4:]
        household.phone_masked = mask_mobile(phone) if phone else ""
    for name, value in values.items():
        setattr(household, name, value)
    household.name_initials = initials(household.head_name)
    _full_clean(household)
    household.save()
    audit.record(
        actor=actor,
        action="household.updated",
        obj=household,
        data={
            "head_name": household.head_name,
            "version": household.version,
            "changed": changed,
            "before": before,
            "after": _shown(household, changed),
        },
    )
    return household


def _shown(household: Household, fields) -> dict:
    """The changed fields as the change log shows them (the phone masked, the area by name)."""
    shown = {}
    for name in fields:
        if name == "phone":
            shown[name] = household.phone_masked
        elif name == "area":
            shown[name] = household.area.name if household.area_id else ""
        elif name == "categories":
            shown[name] = [str(label) for label in household.category_labels()]
        else:
            shown[name] = getattr(household, name)
    return shown


@audit.service
def reveal_household_identity(*, actor, household: Household) -> dict[str, str]:
    """Full ID number and phone, for a user with the permission; every reveal is recorded."""
    if not actor.has_perm("liaison.view_full_pii"):
        raise LiaisonError("forbidden", _("You are not allowed to see full ID and phone numbers."))
    _require_visible(actor, household.area)
    audit.record(actor=actor, action="household.identity_revealed", obj=household)
    return {
        "id_number": crypto.decrypt(household.id_number_encrypted),
        "phone": crypto.decrypt(household.phone_encrypted),
    }
