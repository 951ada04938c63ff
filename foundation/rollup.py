"""Additive figures per area path, added up the tree (a loop over areas, never over rows).

The database groups the rows of a table by ``area_path`` (one scan); each path's counts
are then added to every ancestor by path prefix (the tree's paths are fixed-width steps).
Used by every monthly rollup, so all of them roll up the same way.
"""

from __future__ import annotations


def roll_up(own: dict[str, dict], steplen: int) -> dict[str, dict]:
    """``own`` counts per area path -> totals per path (itself and all descendants)."""
    totals: dict[str, dict] = {}
    for path, row in own.items():
        for width in range(steplen, len(path) + 1, steplen):
            total = totals.setdefault(path[:width], dict.fromkeys(row, 0))
            for name, value in row.items():
                total[name] = _add(total.get(name, 0), value)
    return totals


def _add(total, value):
    if isinstance(value, dict):  # e.g. figures by rank: {rank: [n, m]}
        merged = dict(total or {})
        for key, item in value.items():
            merged[key] = [
                a + b for a, b in zip(merged.get(key, [0] * len(item)), item, strict=True)
            ]
        return merged
    return (total or 0) + (value or 0)


def by_branch(rows, area_path: str, steplen: int) -> tuple[dict, dict[str, dict]]:
    """Rows keyed by area path -> (the area's total, totals per child path)."""
    child_len = len(area_path) + steplen
    total: dict = {}
    children: dict[str, dict] = {}
    for path, row in rows.items():
        if not path.startswith(area_path):
            continue
        for name, value in row.items():
            total[name] = _add(total.get(name, 0), value)
        if len(path) >= child_len:
            child = children.setdefault(path[:child_len], {})
            for name, value in row.items():
                child[name] = _add(child.get(name, 0), value)
    return total, children


def by_month(rows, rename: dict | None = None) -> dict:
    """Stored rollup rows (``values()`` with month, area_path, computed_at) grouped as
    ``{month: ({area_path: figures}, newest computed_at)}``; ``rename`` maps column names."""
    result: dict = {}
    for row in rows:
        month = row.pop("month")
        found, computed = result.get(month, ({}, None))
        computed = newest(computed, row.pop("computed_at"))
        for column, name in (rename or {}).items():
            row[name] = row.pop(column)
        found[row.pop("area_path")] = row
        result[month] = (found, computed)
    return result


def newest(*times):
    return max(filter(None, times), default=None)


def area_and_children(stored: dict[str, dict], path: str) -> tuple[dict, dict[str, dict]]:
    """A month's stored rows of an area and its children, split into (area, children)."""
    return stored.get(path, {}), {p: row for p, row in stored.items() if p != path}
