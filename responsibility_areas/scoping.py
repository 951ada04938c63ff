"""The one place that decides what a user may see.

A user sees the subtrees of the areas of their active memberships; a superuser sees
everything. Every queryset of people's data is filtered here, through ``visible_to``,
as a prefix match on the materialised area path (one indexed range scan per subtree).
Views turn "not visible" into 404, never 403, so existence does not leak.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q
from django.utils import timezone

_CACHE_ATTR = "_liaison_scope_paths"


def collapse_paths(paths) -> list[str]:
    """Drop paths that lie inside another path of the list (a subtree of a subtree)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def scope_paths(user) -> list[str]:
    """Area paths whose subtrees ``user`` may see; ``[""]`` means everything."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        paths = [""]
    else:
        from responsibility_areas.models import Membership

        paths = collapse_paths(
            Membership.objects.active().filter(user=user).values_list("area__path", flat=True)
        )
    setattr(user, _CACHE_ATTR, paths)
    return paths


def forget_scope(user) -> None:
    """Drop the per-request cache (after a membership of ``user`` changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def paths_q(field: str, paths: list[str]) -> Q:
    if not paths:
        return Q(pk__in=[])
    if "" in paths:
        return Q()
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


class ScopedQuerySet(models.QuerySet):
    """A queryset of rows that carry an area path in ``scope_field``."""

    scope_field = "area_path"

    def visible_to(self, user):
        return self.filter(paths_q(self.scope_field, scope_paths(user)))

    def subtree_of(self, area):
        return self.filter(**{f"{self.scope_field}__startswith": area.path})


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
