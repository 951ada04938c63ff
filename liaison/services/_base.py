"""Shared pieces of the liaison services: the domain error and scope checks."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from foundation import audit, cleaning, scoping
from responsibility_areas.models import Area, Level

HOUSEHOLD_LEVELS = (Level.VILLAGE, Level.COMMUNITY, Level.GROUP)


class LiaisonError(Exception):
    """A rule was broken. ``field`` names the input at fault; ``existing`` a duplicate."""

    def __init__(self, code: str, message: str, field: str | None = None, existing=None):
        super().__init__(message)
        self.code, self.message, self.field, self.existing = code, message, field, existing


def _require_visible(actor, area: Area | str) -> None:
    """``area`` (or the path of a row's area) lies in the actor's scope."""
    path = area if isinstance(area, str) else area.path
    if actor is not None and not scoping.sees(actor, path):
        raise LiaisonError("out_of_scope", _("This area is outside your responsibility."), "area")


def _full_clean(instance, exclude=()) -> None:
    try:
        cleaning.full_clean(instance, exclude)
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
