"""Writes to the area tree and to memberships. Each is one audited transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from foundation import audit, locks

from .models import (
    LEVEL_RANK,
    TOWNSHIP_LEVELS,
    Area,
    Level,
    Membership,
    PairingPolicy,
    common_path,
    located_models,
)
from .scoping import can_manage_areas, forget_scope, today


class AreaError(Exception):
    """A rule of the area tree was broken; ``code`` is stable, the message translated."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class AreaSpec:
    """One node to ensure: ``parent`` is another spec's key, an existing Area, or None."""

    key: str
    parent: str | Area | None
    name: str
    level: str
    division_code: str = ""


def _check_child_level(parent_level: str | None, level: str) -> None:
    if parent_level is not None and LEVEL_RANK[level] <= LEVEL_RANK[parent_level]:
        raise AreaError(
            "bad_level",
            _("A %(child)s cannot be placed under a %(parent)s.")
            % {"child": Level(level).label, "parent": Level(parent_level).label},
        )


@audit.service
def ensure_area_tree(*, actor, specs: list[AreaSpec], actor_name: str = "") -> dict[str, Area]:
    """Create the nodes of ``specs`` that do not exist yet (matched by parent and name).

    Idempotent: a second run with the same specs creates nothing. Specs must list a
    parent before its children. Builds paths itself and writes with one bulk insert,
    so a province (~90k areas) takes seconds, not the minutes of ``add_child`` per node.
    """
    existing = {
        (path[: -Area.steplen], name): (pk, path, level)
        for pk, path, name, level in Area.objects.values_list("pk", "path", "name", "level")
    }
    last_step: dict[str, int] = {}
    for _pk, path, _level in existing.values():
        parent_path = path[: -Area.steplen]
        step = Area._str2int(path[-Area.steplen :])
        last_step[parent_path] = max(last_step.get(parent_path, 0), step)

    resolved: dict[str, tuple[str, str]] = {}  # key -> (path, level)
    new_nodes: list[Area] = []
    added_children: dict[str, int] = {}
    for spec in specs:
        parent_path, parent_level = _parent_of(spec, resolved)
        _check_child_level(parent_level, spec.level)
        found = existing.get((parent_path, spec.name))
        if found:
            resolved[spec.key] = (found[1], found[2])
            continue
        step = last_step.get(parent_path, 0) + 1
        last_step[parent_path] = step
        depth = len(parent_path) // Area.steplen + 1
        path = Area._get_path(parent_path, depth, step)
        new_nodes.append(
            Area(
                path=path,
                depth=depth,
                numchild=0,
                name=spec.name,
                level=spec.level,
                division_code=spec.division_code,
            )
        )
        existing[(parent_path, spec.name)] = (None, path, spec.level)
        resolved[spec.key] = (path, spec.level)
        if parent_path:
            added_children[parent_path] = added_children.get(parent_path, 0) + 1

    _insert_with_child_counts(new_nodes, added_children)
    if new_nodes:
        audit.record(
            actor=actor,
            actor_name=actor_name,
            action="area.tree_ensured",
            area_path=common_path([n.path for n in new_nodes]),
            data={"created": len(new_nodes)},
        )
    else:
        audit.nothing_changed()
    paths = {path: key for key, (path, _level) in resolved.items()}
    return {paths[a.path]: a for a in Area.objects.filter(path__in=list(paths))}


def _parent_of(spec: AreaSpec, resolved) -> tuple[str, str | None]:
    if spec.parent is None:
        return "", None
    if isinstance(spec.parent, Area):
        return spec.parent.path, spec.parent.level
    return resolved[spec.parent]


def _insert_with_child_counts(new_nodes: list[Area], added_children: dict[str, int]) -> None:
    new_by_path = {n.path: n for n in new_nodes}
    for parent_path, count in added_children.items():
        if parent_path in new_by_path:
            new_by_path[parent_path].numchild += count
    Area.objects.bulk_create(new_nodes, batch_size=2000)
    for parent_path, count in added_children.items():
        if parent_path not in new_by_path:
            Area.objects.filter(path=parent_path).update(numchild=F("numchild") + count)


@audit.service
def create_area(*, actor, parent: Area, name: str, level: str, division_code: str = "") -> Area:
    _require_manager(actor, parent)
    _check_child_level(parent.level, level)
    if Area.objects.filter(
        path__startswith=parent.path, depth=parent.depth + 1, name=name
    ).exists():
        raise AreaError(
            "duplicate",
            _("%(parent)s already has an area named %(name)s.")
            % {"parent": parent.name, "name": name},
        )
    area = Area(name=name, level=level, division_code=division_code)
    area.full_clean(exclude=["path", "depth", "numchild"])
    area = Area.objects.add_child(parent, instance=area)
    audit.record(
        actor=actor,
        action="area.created",
        obj=area,
        area_path=area.path,
        data={"name": name, "level": level},
    )
    return area


@audit.service
def move_area(*, actor, area: Area, new_parent: Area) -> Area:
    """Move ``area`` and its subtree under ``new_parent``, fixing every denormalised row."""
    area = locks.lock_one(Area.objects.filter(pk=area.pk))
    new_parent = Area.objects.get(pk=new_parent.pk)
    _require_manager(actor, area)
    _require_manager(actor, new_parent)
    if new_parent.path.startswith(area.path):
        raise AreaError("cycle", _("An area cannot be moved under itself or its own subtree."))
    _check_child_level(new_parent.level, area.level)
    old_path, old_parent_path = area.path, area.path[: -Area.steplen]
    Area.objects.move(area, new_parent, pos="last-child")
    area.refresh_from_db()
    _repath_located_rows(area, old_path)
    audit.record(
        actor=actor,
        action="area.moved",
        obj=area,
        area_path=area.path,
        data={"from_path": old_path, "from_parent": old_parent_path, "to_parent": new_parent.pk},
    )
    return area


def _repath_located_rows(area: Area, old_path: str) -> None:
    """Rewrite every denormalised path under ``old_path`` in one UPDATE per table and field.

    ``area_path`` moves with its county/township ids; models that copy other paths (a
    matter's handling area) name them in ``extra_path_fields``.
    """
    changes: dict = {"area_path": Concat(Value(area.path), Substr("area_path", len(old_path) + 1))}
    if LEVEL_RANK[area.level] > LEVEL_RANK[Level.COUNTY]:
        county = area.nearest([Level.COUNTY])
        changes["county_id"] = county.pk if county else None
    if LEVEL_RANK[area.level] > LEVEL_RANK[Level.TOWNSHIP]:
        township = area.nearest(TOWNSHIP_LEVELS)
        changes["township_id"] = township.pk if township else None
    for model in located_models():
        model._base_manager.filter(area_path__startswith=old_path).update(**changes)
        for field in getattr(model, "extra_path_fields", ()):
            model._base_manager.filter(**{f"{field}__startswith": old_path}).update(
                **{field: Concat(Value(area.path), Substr(field, len(old_path) + 1))}
            )


def _require_manager(actor, area: Area) -> None:
    if actor is not None and not can_manage_areas(actor, area):
        # Same answer whether the area exists elsewhere or not: callers turn it into 404.
        raise AreaError("out_of_scope", _("You may not change this area."))


@audit.service
def grant_membership(
    *, actor, user, area: Area, role: str, start_date: date | None = None, actor_name: str = ""
) -> Membership:
    """Give ``user`` a role in ``area``; idempotent for an identical open membership."""
    if actor is not None:
        _require_manager(actor, area)
    existing = Membership.objects.filter(user=user, area=area, role=role, end_date__isnull=True)
    if existing.exists():
        audit.nothing_changed()
        return existing.get()
    membership = Membership(user=user, area=area, role=role, start_date=start_date or today())
    membership.full_clean()
    membership.save()
    forget_scope(user)
    audit.record(
        actor=actor,
        actor_name=actor_name,
        action="membership.granted",
        obj=membership,
        area_path=area.path,
        data={"user": user.get_username(), "role": role},
    )
    return membership


@audit.service
def end_membership(*, actor, membership: Membership, end_date: date | None = None) -> Membership:
    _require_manager(actor, membership.area)
    end_date = end_date or today()
    if membership.start_date > end_date:
        raise AreaError("bad_dates", _("The end date cannot be before the start date."))
    Membership.objects.filter(pk=membership.pk).update(end_date=end_date)
    membership.end_date = end_date
    forget_scope(membership.user)
    audit.record(
        actor=actor,
        action="membership.ended",
        obj=membership,
        area_path=membership.area.path,
        data={"end_date": end_date.isoformat()},
    )
    return membership


@audit.service
def update_area(*, actor, area: Area, changed: list[str]) -> Area:
    """Save a renamed area or a corrected division code (never its place in the tree)."""
    _require_manager(actor, area)
    fields = [f for f in changed if f in {"name", "division_code"}]
    if not fields:
        audit.nothing_changed()
        return area
    area.full_clean(exclude=["path", "depth", "numchild"])
    area.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="area.updated",
        obj=area,
        area_path=area.path,
        data={f: getattr(area, f) for f in fields},
    )
    return area


@audit.service
def set_pairing_policy(
    *, actor, area: Area, require_123: bool, min_poor_per_cadre: int
) -> PairingPolicy:
    """Give ``area`` (and the areas below without a policy of their own) its pairing rules."""
    _require_manager(actor, area)
    policy = PairingPolicy.objects.filter(area=area).first() or PairingPolicy(area=area)
    before = {"require_123": policy.require_123, "min_poor_per_cadre": policy.min_poor_per_cadre}
    after = {"require_123": bool(require_123), "min_poor_per_cadre": min_poor_per_cadre}
    if policy.pk and before == after:
        audit.nothing_changed()
        return policy
    policy.require_123, policy.min_poor_per_cadre = after["require_123"], min_poor_per_cadre
    try:
        policy.full_clean()
    except ValidationError as exc:
        field, errors = next(iter(exc.message_dict.items()))
        raise AreaError("invalid", " ".join(errors), field) from exc
    created = policy.pk is None
    policy.save()
    audit.record(
        actor=actor,
        action="pairing_policy.created" if created else "pairing_policy.changed",
        obj=policy,
        area_path=area.path,
        data={"area": area.name, **after, **({} if created else {"before": before})},
    )
    return policy


@audit.service
def remove_pairing_policy(*, actor, policy: PairingPolicy) -> None:
    """Drop an area's own policy: the nearest ancestor's (or the default) applies again."""
    area = policy.area
    _require_manager(actor, area)
    PairingPolicy.objects.filter(pk=policy.pk).delete()
    audit.record(
        actor=actor,
        action="pairing_policy.removed",
        obj=policy,
        area_path=area.path,
        data={
            "area": area.name,
            "require_123": policy.require_123,
            "min_poor_per_cadre": policy.min_poor_per_cadre,
        },
    )
