"""What each role may do: one table, checked here, beside the scoping call.

Scope (``visible_to``) says *where* a user may act: the subtrees of their memberships.
This table says *what* a role may do there. A user may do an action in an area when one
of their active memberships at that area or above grants it; a superuser may do anything.
Some grants reach only the user's own rows ("own": a cadre handles the matters they own
or handle, and reads their own accountability case) — the app owning the rows applies
that narrowing with :func:`reach`.

The table is printed in README ("Who may do what"); ``tests/test_permissions.py`` walks it
over every demo role, in and out of scope.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Area, Membership, Role


class Action(models.TextChoices):
    READ = "read", _("read")
    FILE = "file", _("file a matter")
    HANDLE = "handle", _("handle a matter")
    RESOLVE = "resolve", _("resolve or explain a matter")
    FEEDBACK = "feedback", _("collect the household's feedback (return call)")
    CLOSE_OUT = "close_out", _("close out a matter")
    APPROVE = "approve", _("approve (extend a deadline, commend, decide a case)")
    SUPERVISE = "supervise", _("supervise (notices, read every case)")
    EVALUATE = "evaluate", _("run an evaluation (questionnaires, campaigns, ballot codes)")
    ADMINISTER = "administer", _("administer (the tree, people, imports)")


A, OWN = "area", "own"

TABLE: dict[str, dict[str, str]] = {
    Role.CADRE: {
        Action.READ: A,
        Action.FILE: A,
        Action.HANDLE: OWN,
        Action.RESOLVE: OWN,
    },
    Role.CLERK: {
        Action.READ: A,
        Action.FILE: A,
        Action.HANDLE: A,
        Action.RESOLVE: A,
        Action.FEEDBACK: A,
    },
    Role.TOWNSHIP_LEADER: {
        Action.READ: A,
        Action.FILE: A,
        Action.HANDLE: A,
        Action.RESOLVE: A,
        Action.FEEDBACK: A,
        Action.CLOSE_OUT: A,
        Action.APPROVE: A,
    },
    Role.COUNTY_LEADER: {
        Action.READ: A,
        Action.FILE: A,
        Action.HANDLE: A,
        Action.RESOLVE: A,
        Action.FEEDBACK: A,
        Action.CLOSE_OUT: A,
        Action.APPROVE: A,
        Action.EVALUATE: A,
    },
    Role.SUPERVISOR: {
        Action.READ: A,
        Action.FEEDBACK: A,
        Action.SUPERVISE: A,
        Action.EVALUATE: A,
    },
    Role.ADMINISTRATOR: {
        Action.READ: A,
        Action.ADMINISTER: A,
    },
}


def _grants(user, action: str, area: Area | None) -> set[str]:
    """The reaches ("area", "own") that ``user``'s memberships give ``action`` at ``area``
    (anywhere in their scope when ``area`` is None)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return {A}
    memberships = Membership.objects.active().filter(user=user)
    if area is not None:
        memberships = memberships.filter(area__path__in=area.ancestor_paths() + [area.path])
    roles = set(memberships.values_list("role", flat=True))
    return {TABLE.get(role, {}).get(action) for role in roles} - {None}


def reach(user, action: str, area: Area | None = None) -> str | None:
    """ "area" (anything in scope), "own" (only the user's own rows) or None (not at all)."""
    grants = _grants(user, action, area)
    return A if A in grants else (OWN if OWN in grants else None)


def may(user, action: str, area: Area | None = None) -> bool:
    """May ``user`` do ``action`` in ``area`` (or somewhere, when ``area`` is None) on
    rows that are not only their own?"""
    return reach(user, action, area) == A


def paths_granting(user, *actions: str) -> list[str] | None:
    """The area paths where ``user``'s roles grant any of ``actions`` across the area
    (None: everywhere, a superuser). Rows under these paths are theirs to act on; "own"
    grants are not included (the caller adds the user's own rows)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return None
    roles = [role for role, grants in TABLE.items() if any(grants.get(a) == A for a in actions)]
    return list(
        Membership.objects.active()
        .filter(user=user, role__in=roles)
        .values_list("area__path", flat=True)
    )


def may_at_the_root(user, action: str) -> bool:
    """For what the whole tree shares (the questionnaires): granted at a root area."""
    if getattr(user, "is_superuser", False):
        return True
    roles = [role for role, grants in TABLE.items() if grants.get(action) == A]
    return (
        Membership.objects.active().filter(user=user, role__in=roles, area__depth=1).exists()
        if getattr(user, "is_authenticated", False)
        else False
    )
