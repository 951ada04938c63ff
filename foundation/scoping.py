"""``visible_to``: the one scoping call, as a path-prefix filter on a queryset.

Rows of people's data carry the materialised path of their area; a user sees the subtrees
of the areas of their active memberships. Which paths a user's memberships give is the
tree's business (``responsibility_areas`` registers it with :func:`set_paths_of_user` when
it starts); this module only turns paths into a filter, so the shared library needs no app.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q

_CACHE_ATTR = "_liaison_scope_paths"
_paths_of_user: Callable | None = None


def set_paths_of_user(resolver: Callable) -> None:
    """The tree registers how a (non-superuser) user's memberships become area paths."""
    global _paths_of_user
    _paths_of_user = resolver


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
    elif _paths_of_user is None:
        paths = []  # no tree installed: nothing is visible (deny by default)
    else:
        paths = collapse_paths(_paths_of_user(user))
    setattr(user, _CACHE_ATTR, paths)
    return paths


def sees(user, path: str) -> bool:
    """Does ``user``'s scope hold the row at ``path``? The same paths ``visible_to`` filters
    by, checked without a query (a service's guard on an object it has read)."""
    return any(path.startswith(prefix) for prefix in scope_paths(user))


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
