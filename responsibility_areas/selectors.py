"""Reads over the area tree: counts are GROUP BY over path prefixes, in the database."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import Substr

from .models import Area, Membership
from .scoping import scope_paths

SESSION_KEY = "current_area_id"


def user_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_liaison_roles", None)
    if cached is None:
        cached = set(Membership.objects.active().filter(user=user).values_list("role", flat=True))
        user._liaison_roles = cached
    return cached


def current_area(request) -> Area | None:
    """The area the user picked (kept in the session), if still in scope; else their first root."""
    user = request.user
    area_id = request.session.get(SESSION_KEY)
    visible = Area.objects.visible_to(user)
    if area_id:
        area = visible.filter(pk=area_id).first()
        if area:
            return area
    paths = scope_paths(user)
    if not paths:
        return None
    if "" in paths:
        return Area.objects.filter(depth=1).first()
    return visible.filter(path=paths[0]).first()


def level_counts(area: Area) -> dict[str, int]:
    """How many areas of each level lie below ``area`` (one GROUP BY)."""
    rows = (
        Area.objects.filter(path__startswith=area.path, depth__gt=area.depth)
        .order_by()
        .values("level")
        .annotate(n=Count("id"))
    )
    return {row["level"]: row["n"] for row in rows}


def child_level_counts(area: Area) -> list[dict]:
    """For each child of ``area``: the child and its counts of descendants per level.

    One GROUP BY over the path prefix of the child's length; no query per child.
    """
    children = list(Area.objects.filter(path__startswith=area.path, depth=area.depth + 1))
    prefix_len = (area.depth + 1) * Area.steplen
    rows = (
        Area.objects.filter(path__startswith=area.path, depth__gt=area.depth + 1)
        .order_by()
        .annotate(branch=Substr("path", 1, prefix_len))
        .values("branch", "level")
        .annotate(n=Count("id"))
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["branch"], {})[row["level"]] = row["n"]
    return [{"area": child, "counts": counts.get(child.path, {})} for child in children]


def breadcrumbs(user, area: Area) -> list[Area]:
    """Ancestors of ``area`` that the user may see, root first, then the area itself."""
    ancestors = Area.objects.visible_to(user).filter(path__in=area.ancestor_paths())
    return [*ancestors, area]


COUNTY_DEPTH = 3
TOWNSHIP_DEPTH = 4


def scope_as_ids(user) -> tuple[str, list[int]] | None:
    """``user``'s scope as ``("county", ids)`` or ``("township", ids)`` when every scope path
    is exactly a county (or exactly a township), else None.

    Big tables carry ``county_id`` and ``township_id``; for such a scope ``county_id IN ids``
    selects exactly the rows ``area_path LIKE 'county%'`` does, and a list in id order is
    then read from a ``(county, id)`` index that stops after one page. With the path (and
    no id column) the planner multiplies two selectivities it cannot know are the same and
    sorts the whole county instead.
    """
    from .scoping import scope_paths

    paths = scope_paths(user)
    if not paths:
        return None
    for depth, name in ((COUNTY_DEPTH, "county"), (TOWNSHIP_DEPTH, "township")):
        width = depth * Area.steplen
        if all(len(path) == width for path in paths):
            known = getattr(user, "_liaison_area_ids", None) or {}
            if all(path in known for path in paths):  # read with the memberships
                return name, [known[path] for path in paths]
            ids = list(Area.objects.filter(path__in=paths).values_list("pk", flat=True))
            return name, ids
    return None
