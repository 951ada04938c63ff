"""Places named by their path: 思茅镇 / 甲村 / 第四村民小组, not "第四村民小组" alone.

Six villages of a county may each have a 大寨组; a group's own name tells nobody which.
Wherever a place is shown — lists, dropdowns, the ledger, exports, page titles — it is
named by its township, village and group: in full in titles and on hover, shortened to
village · group in narrow columns, and as three columns (乡镇 / 村 / 组) in exports.

One query per page of rows: :func:`places_for` reads every ancestor of every path at
once (paths are materialised, so a path's ancestors are its prefixes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Area, Level

TOWNSHIP_LEVELS = {Level.TOWNSHIP, Level.DEPARTMENT}
VILLAGE_LEVELS = {Level.VILLAGE, Level.COMMUNITY}
GROUP_LEVELS = {Level.GROUP}
UPPER_LEVELS = {Level.PROVINCE, Level.CITY, Level.COUNTY}
SEPARATOR = " / "


@dataclass(frozen=True)
class Place:
    """Where something is, below the county: township, village and group (each may be "")."""

    county: str = ""
    township: str = ""
    village: str = ""
    group: str = ""
    upper: str = ""  # the area's own name when it lies above the township

    @property
    def parts(self) -> list[str]:
        below = [p for p in (self.township, self.village, self.group) if p]
        return below or [p for p in (self.upper,) if p]

    @property
    def full(self) -> str:
        """乡镇 / 村 / 组: for titles and hover."""
        return SEPARATOR.join(self.parts)

    @property
    def short(self) -> str:
        """The two lowest names (村 · 组, or 乡镇 · 村): enough to tell places apart in a column."""
        parts = self.parts
        return " · ".join(parts[-2:])

    def __str__(self) -> str:
        return self.full


def _prefixes(path: str) -> list[str]:
    step = Area.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def names_of(paths: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``{path: (name, level)}`` for every ancestor (and the area itself) of ``paths``."""
    wanted = set()
    for path in paths:
        if path:
            wanted.update(_prefixes(path))
    if not wanted:
        return {}
    rows = Area.objects.filter(path__in=wanted).values_list("path", "name", "level")
    return {path: (name, level) for path, name, level in rows}


def place_of(path: str, names: dict[str, tuple[str, str]]) -> Place:
    found = {"county": "", "township": "", "village": "", "group": "", "upper": ""}
    for prefix in _prefixes(path or ""):
        name, level = names.get(prefix, ("", ""))
        if level == Level.COUNTY:
            found["county"] = name
        if level in TOWNSHIP_LEVELS:
            found["township"] = name
        elif level in VILLAGE_LEVELS:
            found["village"] = name
        elif level in GROUP_LEVELS:
            found["group"] = name
        elif level in UPPER_LEVELS:
            found["upper"] = name
    return Place(**found)


def places_for(paths: Iterable[str]) -> dict[str, Place]:
    """``{path: Place}`` in one query."""
    paths = [p for p in set(paths) if p]
    names = names_of(paths)
    return {path: place_of(path, names) for path in paths}


def label_places(objects, path_of=lambda obj: obj.area_path, attr: str = "where"):
    """Set ``obj.<attr>`` (``where``) to the :class:`Place` of each object; returns ``objects``."""
    objects = list(objects)
    places = places_for(path_of(obj) for obj in objects)
    for obj in objects:
        setattr(obj, attr, places.get(path_of(obj), Place()))
    return objects


def place(area) -> Place:
    """The place of one area (a page title)."""
    if area is None:
        return Place()
    return places_for([area.path]).get(area.path, Place())


def label_page(page, path_of=lambda obj: obj.area_path):
    """Name the places of a paginator page's rows (one query); returns the page."""
    page.object_list = label_places(page.object_list, path_of)
    return page


def batches_with_places(queryset, limit: int, size: int = 2000):
    """``(rows, {path: Place})`` a batch at a time, for exports: rows named in one query
    per batch, at most ``limit`` rows in all."""
    for start in range(0, limit, size):
        batch = list(queryset[start : min(start + size, limit)])
        if not batch:
            return
        yield batch, places_for(row.area_path for row in batch)
        if len(batch) < size:
            return
