"""Shared pieces of the ledger services: the domain error, who may do what, notifications."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from foundation.prepared import Prepared
from liaison.models import Duty, ResponsibilityAssignment
from responsibility_areas.models import LEADER_ROLES, Area, Membership

from ..models import Matter, Notification


class MatterError(Exception):
    """A ledger rule was broken. ``code`` is stable; ``message`` translated; ``field`` at fault."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def responsible_cadre_ids(area_ids, on=None) -> dict[int, int]:
    """{area id: cadre id} of the responsible leading cadre (责任人) of each area that has one."""
    rows = (
        ResponsibilityAssignment.objects.active(on)
        .filter(duty=Duty.RESPONSIBLE, area_id__in=list(area_ids))
        .values_list("area_id", "cadre_id")
    )
    return dict(rows)


def _responsible_of(area_id, on):
    return (
        ResponsibilityAssignment.objects.active(on)
        .filter(duty=Duty.RESPONSIBLE, area_id=area_id)
        .values_list("cadre_id")
    )


RESPONSIBLE_OF = Prepared(_responsible_of)  # every filing asks it: compiled once


def responsible_cadre_id(area: Area, on=None) -> int | None:
    found = RESPONSIBLE_OF(area_id=area.pk, on=on or timezone.localdate())
    return found[0][0] if found else None


def _actor_cadre_id(actor) -> int | None:
    cadre = getattr(actor, "cadre", None) if getattr(actor, "pk", None) else None
    return cadre.pk if cadre is not None else None


def is_leader_for(actor, area: Area) -> bool:
    """A township/county leader over ``area``, its responsible cadre's user, or a superuser."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    leads = (
        Membership.objects.active()
        .filter(user=actor, role__in=LEADER_ROLES)
        .filter(area__path__in=area.ancestor_paths() + [area.path])
        .exists()
    )
    return leads or (
        _actor_cadre_id(actor) is not None and responsible_cadre_id(area) == _actor_cadre_id(actor)
    )


def can_handle(actor, matter: Matter) -> bool:
    """The matter's owner and handler work on it; beyond them, whoever's role handles
    matters across an area (the role table) at the handling area or above — a cadre-only
    user handles only their own, a supervisor none."""
    from responsibility_areas.permissions import A, Action, reach

    if actor is None or actor.is_superuser:
        return True
    cadre_id = _actor_cadre_id(actor)
    if cadre_id is not None and cadre_id in (matter.handler_id, matter.owner_id):
        return True
    return reach(actor, Action.HANDLE, matter.handling_area) == A


def require_visible(actor, matter: Matter) -> None:
    if actor is not None and not Matter.objects.visible_to(actor).filter(pk=matter.pk).exists():
        raise MatterError("out_of_scope", _("This matter is outside your responsibility."))


def require_handler(actor, matter: Matter) -> None:
    require_visible(actor, matter)
    if not can_handle(actor, matter):
        raise MatterError(
            "not_handler", _("Only the handling level can work on this matter."), "handler"
        )


def require_leader(actor, matter: Matter) -> None:
    require_visible(actor, matter)
    if not is_leader_for(actor, matter.handling_area):
        raise MatterError(
            "not_leader",
            _("Only a leader of the handling level (%(area)s) can do this.")
            % {"area": matter.handling_area.name},
        )


def notification_text(message: str, params: dict) -> str:
    """Notifications are read later by people in the default language: render it now."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params else str(message)


def notification(*, cadre_id, matter_id, kind, text) -> Notification:
    return Notification(
        cadre_id=cadre_id,
        matter_id=matter_id,
        kind=kind,
        text=text[:300],
        created_at=timezone.now(),
    )
