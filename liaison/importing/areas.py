"""Areas of a roster row, by the names on its path or a division code, from one load of the tree."""

from __future__ import annotations

from django.utils.translation import gettext as _

from liaison.models import Rank
from responsibility_areas.models import Area, Level
from responsibility_areas.scoping import scope_paths

from . import cells
from .plan import HOUSEHOLD_LEVELS, ROSTER_HEADERS


class AreaIndex:
    """Every area once, as dictionaries: names on a path and division codes → area."""

    def __init__(self, user):
        self.scope = scope_paths(user) if user is not None else [""]
        self.by_path: dict[str, tuple] = {}
        self.children: dict[tuple[str, str], list[str]] = {}
        self.counties: dict[str, list[str]] = {}
        self.by_code: dict[str, str] = {}
        rows = Area.objects.order_by().values_list("id", "path", "name", "level", "division_code")
        steplen = Area.steplen
        for pk, path, area_name, level, code in rows.iterator(chunk_size=5000):
            key = cells.name(area_name)
            self.by_path[path] = (pk, key, level)
            self.children.setdefault((path[:-steplen], key), []).append(path)
            if level == Level.COUNTY:
                self.counties.setdefault(key, []).append(path)
            if code:
                self.by_code[code] = path
        self._memo: dict[tuple, tuple] = {}

    def in_scope(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.scope)

    def _pick(self, paths: list[str]) -> str | None:
        """One path among namesakes: the one in scope if exactly one is."""
        if len(paths) == 1:
            return paths[0]
        mine = [p for p in paths if self.in_scope(p)]
        return mine[0] if len(mine) == 1 else None

    def place(self, path: str) -> tuple:
        """(id, path, county id, township id) of the area at ``path``."""
        step = Area.steplen
        county = township = None
        for i in range(step, len(path) + 1, step):
            pk, _name, level = self.by_path[path[:i]]
            if level == Level.COUNTY:
                county = pk
            elif level in (Level.TOWNSHIP, Level.DEPARTMENT):
                township = pk
        return self.by_path[path][0], path, county, township

    def cadre_home(self, place: tuple, unit: str) -> tuple:
        """(rank, place) for a cadre the roster introduces (the file has no rank column)."""
        rank, level = new_cadre_level(unit)
        path = place[1]
        step = Area.steplen
        for i in range(len(path), 0, -step):
            if self.by_path[path[:i]][2] in LEVEL_GROUPS[level]:
                return rank, self.place(path[:i])
        return rank, place

    def resolve(self, names: dict, headers: dict, levels=HOUSEHOLD_LEVELS) -> tuple:
        """(place, None) or (None, RowError pieces (column, code, message)).

        ``levels``: the levels the area may have (a household's: village, community, group).
        """
        get = names.get  # runs for every row: one tuple of the five names, one look-up
        key = (get("county", ""), get("township", ""), get("village", ""), get("group", ""))
        key = (*key, get("division_code", ""), None if levels is HOUSEHOLD_LEVELS else levels)
        try:
            return self._memo[key]
        except KeyError:
            found = self._memo[key] = self._resolve(names, headers, levels)
            return found

    def _resolve(self, names, headers, levels_allowed):
        code = names.get("division_code", "")
        if code:
            path = self.by_code.get(code)
            if path is None:
                return None, (
                    headers["division_code"],
                    "unknown_area",
                    _("No area has the division code %(code)s.") % {"code": code},
                )
            levels = ("group",)
        else:
            if not names.get("county"):
                return None, (
                    headers.get("county", ROSTER_HEADERS["county"]),
                    "missing",
                    _("The county is missing."),
                )
            path = self._pick(self.counties.get(names["county"], []))
            if path is None:
                return None, self._unknown("county", names, headers)
            levels = ("township", "village", "group")
        for level in levels:
            wanted = names.get(level, "")
            if not wanted:
                continue
            path = self._pick(self.children.get((path, wanted), []))
            if path is None:
                return None, self._unknown(level, names, headers)
        if levels_allowed and self.by_path[path][2] not in levels_allowed:
            column = headers.get("village", ROSTER_HEADERS["village"])
            return None, (
                column,
                "missing",
                _(
                    "A household belongs to a village, community or village group: "
                    "the village is missing."
                ),
            )
        if not self.in_scope(path):
            return None, (
                headers.get("village") or headers.get("division_code", ""),
                "out_of_scope",
                _("This area is outside your responsibility."),
            )
        return self.place(path), None

    def _unknown(self, level, names, headers):
        column = headers.get(level, ROSTER_HEADERS[level])
        return (
            column,
            "unknown_area",
            _("No area named “%(name)s” at this place in the tree.") % {"name": names[level]},
        )


LEVEL_GROUPS = {
    "village": (Level.VILLAGE, Level.COMMUNITY),
    "township": (Level.TOWNSHIP, Level.DEPARTMENT),
    "county": (Level.COUNTY,),
}


def new_cadre_level(unit: str) -> tuple[str, str]:
    """Rank and home level for a cadre the roster introduces (the file has no rank column).

    A village committee's cadre lives in the village; a county body's in the county;
    everyone else in the township of the household's area.
    """
    if "村" in unit and ("委" in unit or unit.endswith("村")):
        return Rank.VILLAGE, "village"
    if any(w in unit for w in ("县", "区委", "区人民政府", "区政府")) and not any(
        w in unit for w in ("镇", "乡", "街道")
    ):
        return Rank.COUNTY, "county"
    return Rank.TOWNSHIP, "township"
