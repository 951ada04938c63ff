"""The one place that decides what a user may see.

A user sees the subtrees of the areas of their active memberships; a superuser sees
everything. Every queryset of people's data is filtered here, through ``visible_to``,
as a prefix match on the materialised area path (one indexed range scan per subtree).
Views turn "not visible" into 404, never 403, so existence does not leak.
"""

from __future__ import annotations

from django.utils import timezone

from foundation.prepared import Prepared
from foundation.scoping import (  # noqa: F401  (the tree's public scoping API)
    ScopedQuerySet,
    collapse_paths,
    forget_scope,
    paths_q,
    scope_paths,
    set_paths_of_user,
)


def _membership_areas(*, user_id, on):
    from responsibility_areas.models import Membership

    return (
        Membership.objects.active(on).filter(user_id=user_id).values_list("area__path", "area_id")
    )


# Read on every request: its SQL compiled once per process (foundation.prepared).
MEMBERSHIP_AREAS = Prepared(_membership_areas)


def membership_paths(user) -> list[str]:
    """The paths of ``user``'s active memberships (registered with the shared scoping)."""
    rows = MEMBERSHIP_AREAS(user_id=user.pk, on=today())
    user._liaison_area_ids = dict(rows)  # scope_as_ids reads these: no second query
    return [path for path, _id in rows]


def visible_roots(user) -> list:
    """The top areas of the user's scope (the roots of the subtrees they may see)."""
    from responsibility_areas.models import Area

    paths = scope_paths(user)
    if "" in paths:
        return list(Area.objects.filter(depth=1))
    return list(Area.objects.filter(path__in=paths))


def can_manage_areas(user, area) -> bool:
    """Administrators of an enclosing area (or superusers) may change the tree there."""
    if user.is_superuser:
        return True
    return (
        _membership()
        .objects.active()
        .filter(user=user, role="administrator")
        .filter(area__path__in=area.ancestor_paths() + [area.path])
        .exists()
    )


def _membership():
    from responsibility_areas.models import Membership

    return Membership


def today():
    return timezone.localdate()


set_paths_of_user(membership_paths)
