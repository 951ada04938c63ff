"""Writes that span the people of liaison. Each is one audited transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .lib import audit


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
