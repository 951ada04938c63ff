"""Writes to people and their links. Each is one audited transaction."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from responsibility_areas.models import Area, Level, common_path

from .lib import audit, crypto
from .lib.identity import check_id_number, check_mobile, mask_id_number, mask_mobile
from .models import (
    Cadre,
    Commitment,
    CommitmentStatus,
    Household,
    Pairing,
    ResponsibilityAssignment,
    Visit,
    VisitHousehold,
    VisitMatter,
    category_mask,
)

HOUSEHOLD_LEVELS = (Level.VILLAGE, Level.COMMUNITY, Level.GROUP)
# Public helpers that write nothing (shared with the roster importer and forms).
READS = ("checked_id_number", "checked_mobile", "initials", "find_household_by_id_number",
         "prepared_household")


class LiaisonError(Exception):
    """A rule was broken. ``field`` names the input at fault; ``existing`` a duplicate."""

    def __init__(self, code: str, message: str, field: str | None = None, existing=None):
        super().__init__(message)
        self.code, self.message, self.field, self.existing = code, message, field, existing


def _require_visible(actor, area: Area) -> None:
    if actor is not None and not Area.objects.visible_to(actor).filter(pk=area.pk).exists():
        raise LiaisonError("out_of_scope", _("This area is outside your responsibility."), "area")


def _full_clean(instance, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise LiaisonError("invalid", " ".join(messages), field) from exc


@audit.service
def ensure_user(
    *,
    actor,
    username: str,
    password: str,
    last_name: str = "",
    first_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor_name: str = "",
):
    """Create the account ``username`` unless it exists; an existing one is left as it is."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        audit.nothing_changed()
        return user
    user = User(
        username=username,
        last_name=last_name,
        first_name=first_name,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(
        actor=actor,
        actor_name=actor_name,
        action="user.created",
        obj=user,
        data={"username": username, "staff": user.is_staff, "superuser": is_superuser},
    )
    return user


# --- Households ------------------------------------------------------------------------------


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
    phone: str,
    members: int,
    address: str,
    categories=(),
    party_member: bool = False,
    area: Area | None = None,
) -> Household:
    _require_visible(actor, household.area)
    if area is not None and area.pk != household.area_id:
        _require_visible(actor, area)
        household.place_in(area)
    phone = checked_mobile(phone)
    household.head_name, household.name_initials = head_name.strip(), initials(head_name)
    household.members, household.address, household.party_member = members, address, party_member
    household.categories = category_mask(categories)
    household.phone_encrypted = crypto.encrypt(phone)
    household.phone_last4, household.phone_masked = phone[-4:], mask_mobile(phone) if phone else ""
    _full_clean(household)
    household.save()
    audit.record(
        actor=actor,
        action="household.updated",
        obj=household,
        data={"head_name": household.head_name},
    )
    return household


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


# --- Cadres, pairings, responsibility -------------------------------------------------------


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
        raise LiaisonError(
            "duplicate_phone",
            _("Cadre %(name)s already uses this mobile number.") % {"name": existing.name},
            "phone",
            existing=existing,
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
    *, actor, area: Area, cadre: Cadre, duty: str, start_date: date | None = None
) -> ResponsibilityAssignment:
    """Make ``cadre`` the holder of ``duty`` for ``area``; the previous holder's term ends."""
    _require_visible(actor, area)
    start_date = start_date or timezone.localdate()
    current = ResponsibilityAssignment.objects.filter(
        area=area, duty=duty, end_date__isnull=True
    ).first()
    if current and current.cadre_id == cadre.pk:
        audit.nothing_changed()
        return current
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


# --- Visit diaries ---------------------------------------------------------------------------


def _common_area(households) -> Area:
    """The lowest area enclosing every household visited (village, or township, ...)."""
    return Area.objects.get(path=common_path(h.area_path for h in households))


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
    households = list(households)
    if not households:
        raise LiaisonError("no_households", _("Choose at least one household."), "households")
    if visited_on > timezone.localdate():
        raise LiaisonError(
            "future_date", _("The date of the visit cannot be in the future."), "visited_on"
        )
    for household in households:
        _require_visible(actor, household.area)
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
    created = _record_matters(visit, cadre, households, matters)
    audit.record(
        actor=actor,
        action="visit.recorded",
        obj=visit,
        data={"cadre": cadre.name, "households": len(households), "matters": created},
    )
    return visit


def _record_matters(visit: Visit, cadre: Cadre, households, matters) -> int:
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
    return len(rows)


# --- Commitments -----------------------------------------------------------------------------


@audit.service
def add_commitment(*, actor, cadre: Cadre, year: int, content: str) -> Commitment:
    _require_visible(actor, cadre.area)
    commitment = Commitment(cadre=cadre, year=year, content=content.strip())
    commitment.place_in(cadre.area)
    _full_clean(commitment)
    commitment.save()
    audit.record(actor=actor, action="commitment.added", obj=commitment, data={"content": content})
    return commitment


@audit.service
def set_commitment_status(
    *, actor, commitment: Commitment, status: str, note: str = ""
) -> Commitment:
    _require_visible(actor, commitment.area)
    if status not in CommitmentStatus.values:
        raise LiaisonError("bad_status", _("Unknown status."), "status")
    commitment.status, commitment.note = status, note
    commitment.save(update_fields=["status", "note"])
    audit.record(
        actor=actor, action="commitment.status_set", obj=commitment, data={"status": status}
    )
    return commitment


# --- Bulk writes (seeding, roster import) ----------------------------------------------------


def prepared_household(*, area: Area, head_name: str, id_number: str, phone: str = "", members: int = 1,
                       address: str = "", categories=(), party_member: bool = False) -> Household:
    """A validated, unsaved household (raises LiaisonError naming the field at fault)."""
    if area.level not in HOUSEHOLD_LEVELS:
        raise LiaisonError("bad_area", _("A household belongs to a village, community or village group."), "area")
    id_number, phone = checked_id_number(id_number), checked_mobile(phone)
    household = Household(head_name=head_name.strip(), name_initials=initials(head_name), members=members,
                          address=address, categories=category_mask(categories), party_member=party_member)
    household.place_in(area)
    _set_identity(household, id_number, phone)
    return household


@audit.service
def bulk_register_households(*, actor, households: list[Household], actor_name: str = "") -> int:
    """Insert prepared households whose ID number is not registered yet; returns how many.

    Idempotent: households already registered (same keyed hash) are skipped.
    """
    hashes = [h.id_number_hash for h in households]
    known = set(Household.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", flat=True))
    new = [h for h in households if h.id_number_hash not in known]
    Household.objects.bulk_create(new, batch_size=1000)
    if new:
        audit.record(actor=actor, actor_name=actor_name, action="household.bulk_registered",
                     area_path=common_path(h.area_path for h in new), data={"created": len(new)})
    else:
        audit.nothing_changed()
    return len(new)


@audit.service
def bulk_pair(*, actor, pairs: list[tuple], actor_name: str = "") -> int:
    """Create (cadre, household, kind, start_date) pairings not already open; returns how many."""
    open_keys = set(Pairing.objects.filter(end_date__isnull=True, household__in=[p[1] for p in pairs])
                    .values_list("cadre_id", "household_id"))
    new = []
    for cadre, household, kind, start in pairs:
        if (cadre.pk, household.pk) in open_keys:
            continue
        open_keys.add((cadre.pk, household.pk))
        pairing = Pairing(cadre=cadre, household=household, kind=kind, start_date=start,
                          area=household.area, area_path=household.area_path,
                          county_id=household.county_id, township_id=household.township_id)
        new.append(pairing)
    Pairing.objects.bulk_create(new, batch_size=1000)
    if new:
        audit.record(actor=actor, actor_name=actor_name, action="pairing.bulk_created",
                     area_path=common_path(p.area_path for p in new), data={"created": len(new)})
    else:
        audit.nothing_changed()
    return len(new)

