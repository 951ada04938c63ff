"""Liaison figures, one definition each, for every page, the API, the exports and the rollup.

Definitions (a period is whole months standing at ``as_of``; see ``foundation.periods``):

- **contacts** (联系): diaries of the period, whatever the kind; **visits** (深入走访): diaries
  of an in-person kind (home, sitting, symposium); **stay days** (住村天数): days lived in
  villages recorded on the period's diaries. A diary counts where it was written down
  (its area), once, whatever the number of households on it.
- **households** (农户), **must-visit** (必访户) and **must-visit unpaired**: as at ``as_of``;
  coverage = must-visit paired / must-visit.
- **cadres on schedule** (按进度完成): a cadre is *behind* when, by ``as_of``, this year's
  contacts, visits or stay days fall short of the yearly quota times the share of the year
  gone. Quotas bind only whom the rules name (DOMAIN.md §1): contact and visit quotas the
  cadre responsible for a township, village or group, by its level; stay days by rank, for
  provincial, bureau and county rank leading cadres only and for every township cadre.
  Cadres with no quota are not counted. A cadre counts in the deepest area they are
  responsible for inside their own unit's area, else in their unit's area.
- **breaking pairing rules**: cadres whose active pairings break the governing policy
  (``liaison.pairing_rules``).
- **without a responsible person**: townships, villages and communities with no active
  responsible leading cadre (一区一责任人; village groups are led by their own group heads,
  who are not always cadres in the system, so they are not counted).

The month in progress is counted live down to ``settings.LIAISON_DASHBOARD_LIVE_DEPTH``
(counties by default); closed months, and the current month of larger areas, are read from
``AreaMonth``, recomputed nightly by :func:`rollup_activity` from these same queries.
Quota compliance and pairing-rule breaches (``NIGHTLY``) need every cadre's year of diaries
or pairings: they always come from the nightly rollup, and the pages say when it ran.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation import audit, joblock
from foundation.periods import Period, month_end
from foundation.replica import read_connection
from foundation.rollup import area_and_children, by_branch, by_month, newest, roll_up
from responsibility_areas.models import Area, Level

from .models import (
    IN_PERSON_KINDS,
    MUST_VISIT_MASK,
    AreaMonth,
    Cadre,
    ContactQuota,
    Duty,
    Household,
    Pairing,
    QuotaBasis,
    ResponsibilityAssignment,
    Visit,
)
from .selectors import year_fraction

ACTIVITY = ("contacts", "visits_in", "stay_days")
STANDING = (
    "households",
    "must_visit",
    "must_unpaired",
    "cadres",
    "cadres_behind",
    "breaking_rules",
    "without_responsible",
)
NEEDS_RESPONSIBLE = (Level.TOWNSHIP, Level.VILLAGE, Level.COMMUNITY)


def _key(group_len: int | None, field: str = "area_path"):
    return Substr(field, 1, group_len) if group_len else F(field)


def _grouped(queryset, group_len, field="area_path", **aggregates) -> dict[str, dict]:
    rows = queryset.order_by().annotate(key=_key(group_len, field)).values("key")
    return {row.pop("key"): row for row in rows.annotate(**aggregates)}


def _merge(into: dict[str, dict], rows: dict[str, dict]) -> None:
    for key, row in rows.items():
        into.setdefault(key, {}).update(row)


# --- The queries, grouped by area path or by a prefix of it --------------------------------


ACTIVITY_LABELS = {
    "contacts": _("Contacts"),
    "visits_in": _("In-person visits"),
    "stay_days": _("Days lived in villages"),
}


def visit_figure_q(name: str, start: date, end: date) -> Q:
    """The diaries behind an activity figure of the period (stay days: the diaries that
    record some; the figure is their sum)."""
    in_period = Q(visited_on__gte=start, visited_on__lte=end)
    return (
        in_period
        & {
            "contacts": Q(),
            "visits_in": Q(kind__in=IN_PERSON_KINDS),
            "stay_days": Q(stay_days__gt=0),
        }[name]
    )


def activity_counts(path: str, start: date, end: date, group_len=None) -> dict[str, dict]:
    visits = Visit.objects.filter(area_path__startswith=path).filter(
        visit_figure_q("contacts", start, end)
    )
    return _grouped(
        visits,
        group_len,
        contacts=Count("id"),
        visits_in=Count("id", filter=visit_figure_q("visits_in", start, end)),
        stay_days=Sum("stay_days"),
    )


def coverage_counts(path: str, as_of: date, group_len=None) -> dict[str, dict]:
    paired = Exists(Pairing.objects.active(as_of).filter(household=OuterRef("pk")))
    households = Household.objects.filter(area_path__startswith=path).annotate(
        must=F("categories").bitand(MUST_VISIT_MASK), paired=paired
    )
    return _grouped(
        households,
        group_len,
        households=Count("id"),
        must_visit=Count("id", filter=Q(must__gt=0)),
        must_unpaired=Count("id", filter=Q(must__gt=0, paired=False)),
    )


def without_responsible_counts(path: str, as_of: date, group_len=None) -> dict[str, dict]:
    areas = areas_without_responsible(Area.objects.get(path=path), as_of)
    return _grouped(areas, group_len, "path", without_responsible=Count("id"))


def cadres_breaking_rules_in(area: Area, as_of: date):
    """Cadres of ``area``'s subtree breaking a pairing rule of their county's policy: the
    rows behind "breaking the pairing rules" (the cadre list's ``breaking_rules=true``)."""
    from .pairing_rules import breaks_rules_q, checked_cadres

    if area.depth < 3:  # above the counties: each county under its own policy
        counties = Area.objects.filter(path__startswith=area.path, level=Level.COUNTY)
        found = Cadre.objects.none()
        for county in counties:
            found = found | cadres_breaking_rules_in(county, as_of)
        return found
    checked = checked_cadres(Cadre.objects.subtree_of(area), area, as_of)
    return Cadre.objects.filter(pk__in=checked.filter(breaks_rules_q()).values("pk"))


def areas_without_responsible(area: Area, as_of: date):
    """Townships, villages, communities and groups of ``area``'s subtree with no responsible
    cadre (责任人) today: the rows behind "areas without a responsible person"."""
    responsible = ResponsibilityAssignment.objects.active(as_of).filter(
        area=OuterRef("pk"), duty=Duty.RESPONSIBLE
    )
    return Area.objects.filter(path__startswith=area.path, level__in=NEEDS_RESPONSIBLE).exclude(
        Exists(responsible)
    )


def breaking_rules_counts(path: str, as_of: date, group_len=None) -> dict[str, dict]:
    """Per county (each under its own pairing policy): cadres breaking a rule, by path."""
    area = Area.objects.get(path=path)
    counties = (
        [area]
        if area.depth >= 3
        else list(Area.objects.filter(path__startswith=path, level=Level.COUNTY))
    )
    result: dict[str, dict] = {}
    for county in counties:
        rows = _grouped(
            cadres_breaking_rules_in(county, as_of), group_len, breaking_rules=Count("id")
        )
        for key, row in rows.items():
            into = result.setdefault(key, {"breaking_rules": 0})
            into["breaking_rules"] += row["breaking_rules"]
    return result


def _quota_rules() -> tuple[dict, dict]:
    quotas = list(ContactQuota.objects.all())
    by_level = {q.key: q for q in quotas if q.basis == QuotaBasis.AREA_LEVEL}
    by_rank = {q.key: q for q in quotas if q.basis == QuotaBasis.RANK}
    return by_level, by_rank


def quota_counts(path: str, as_of: date, group_len=None) -> dict[str, dict]:
    """Cadres with a quota and cadres behind, per place (see the module docstring), by rank.

    One statement: the subtree's cadres (a prefix scan) with the area they answer for,
    their year's diaries aggregated once per cadre (the ``(cadre, visited_on)`` covering
    index), then a GROUP BY place and rank.
    """
    by_level, by_rank = _quota_rules()
    fraction = year_fraction(as_of)
    params: list = []

    def level_case(attr):
        if not by_level:
            return "0"
        whens = []
        for key, quota in by_level.items():
            whens.append("WHEN %s THEN %s")
            params.extend([key, getattr(quota, attr)])
        return f"CASE c.duty_level {' '.join(whens)} ELSE 0 END"

    term, area_t = ResponsibilityAssignment._meta.db_table, Area._meta.db_table
    cadre_t, visit_t = Cadre._meta.db_table, Visit._meta.db_table
    on = as_of.isoformat()
    kinds = ", ".join(["%s"] * len(IN_PERSON_KINDS))
    params += [on, on, on, on, path + "%"]
    duty = f"""
        (SELECT {{col}} FROM {term} r JOIN {area_t} a ON a.id = r.area_id
          WHERE r.cadre_id = cd.id AND r.start_date <= %s
            AND (r.end_date IS NULL OR r.end_date > %s) {{inside}}
          ORDER BY a.depth DESC LIMIT 1)"""
    inside = "AND a.path LIKE cd.area_path || '%%'"
    head = f"""
        WITH c AS (
            SELECT cd.id, cd.rank, cd.is_leading,
                   COALESCE({duty.format(col="a.path", inside=inside)}, cd.area_path) AS place,
                   {duty.format(col="a.level", inside="")} AS duty_level
              FROM {cadre_t} cd
             WHERE cd.area_path LIKE %s
        )"""
    head_params = params
    params = []
    stay_whens = []
    for key, quota in by_rank.items():
        stay_whens.append("WHEN c.rank = %s AND (%s OR c.is_leading) THEN %s")
        params.extend([key, not quota.leading_only, quota.min_stay_days])
    q_stay = f"CASE {' '.join(stay_whens)} ELSE 0 END" if stay_whens else "0"
    stay_params = params
    params = []
    q_contacts = level_case("min_contacts")
    q_visits = level_case("min_visits")
    level_params = params
    year_start = date(as_of.year, 1, 1).isoformat()
    group = f"SUBSTR(q.place, 1, {int(group_len)})" if group_len else "q.place"
    sql = f"""
        {head}, v AS (
            SELECT v.cadre_id, COUNT(*) AS contacts,
                   SUM(CASE WHEN v.kind IN ({kinds}) THEN 1 ELSE 0 END) AS visits_in,
                   SUM(v.stay_days) AS stay
              FROM {visit_t} v
             WHERE v.cadre_id IN (SELECT id FROM c)
               AND v.visited_on >= %s AND v.visited_on <= %s
             GROUP BY v.cadre_id
        ), q AS (
            SELECT c.place, c.rank, ({q_stay}) AS q_stay,
                   ({q_contacts}) AS q_contacts, ({q_visits}) AS q_visits,
                   COALESCE(v.contacts, 0) AS contacts, COALESCE(v.visits_in, 0) AS visits_in,
                   COALESCE(v.stay, 0) AS stay
              FROM c LEFT JOIN v ON v.cadre_id = c.id
        )
        SELECT {group}, q.rank, COUNT(*),
               SUM(CASE WHEN q.contacts < q.q_contacts * %s OR q.visits_in < q.q_visits * %s
                          OR q.stay < q.q_stay * %s THEN 1 ELSE 0 END)
          FROM q
         WHERE q.q_stay > 0 OR q.q_contacts > 0 OR q.q_visits > 0
         GROUP BY 1, 2
    """
    ordered = [
        *head_params,
        *IN_PERSON_KINDS,
        year_start,
        on,
        *stay_params,
        *level_params,
        fraction,
        fraction,
        fraction,
    ]
    result: dict[str, dict] = {}
    with read_connection().cursor() as cursor:
        cursor.execute(sql, ordered)
        for key, rank, cadres, behind in cursor.fetchall():
            row = result.setdefault(key, {"cadres": 0, "cadres_behind": 0, "quota_by_rank": {}})
            row["cadres"] += cadres
            row["cadres_behind"] += behind or 0
            row["quota_by_rank"][rank] = [cadres, behind or 0]
    return result


def live_standing_counts(path: str, as_of: date, group_len=None) -> dict[str, dict]:
    rows: dict[str, dict] = {}
    for counts in (coverage_counts, without_responsible_counts):
        _merge(rows, counts(path, as_of, group_len))
    return rows


def standing_counts(path: str, as_of: date, group_len=None) -> dict[str, dict]:
    rows = live_standing_counts(path, as_of, group_len)
    for counts in (quota_counts, breaking_rules_counts):
        _merge(rows, counts(path, as_of, group_len))
    return rows


# --- The rollup ---------------------------------------------------------------------------


@audit.service
def rollup_activity(*, month: date, now=None) -> int:
    """Compute ``AreaMonth`` of ``month`` for every area with anything, and its ancestors.
    One run of a month at a time (``joblock.one_at_a_time``): no older figures over newer."""
    month = month.replace(day=1)
    joblock.one_at_a_time(f"rollup_activity:{month:%Y-%m}")
    now = now or timezone.now()
    end = month_end(month)
    as_of = min(end, timezone.localdate(now))
    root = Area.objects.get_root_nodes().order_by("path")
    own: dict[str, dict] = {}
    for top in root:
        _merge(own, activity_counts(top.path, month, as_of))
        _merge(own, standing_counts(top.path, as_of))
    totals = roll_up(own, Area.steplen)
    area_ids = dict(Area.objects.filter(path__in=totals).values_list("path", "pk"))
    fields = [*ACTIVITY, *STANDING, "quota_by_rank"]
    rows = [
        AreaMonth(
            area_id=area_ids[path],
            area_path=path,
            month=month,
            computed_at=now,
            **{
                name: totals[path].get(name) or (dict() if name == "quota_by_rank" else 0)
                for name in fields
            },
        )
        for path in sorted(totals)
        if path in area_ids
    ]
    AreaMonth.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["area", "month"],
        update_fields=[*fields, "computed_at", "area_path"],
    )
    kept = [row.area_id for row in rows]
    removed, _ = AreaMonth.objects.filter(month=month).exclude(area_id__in=kept).delete()
    audit.record(
        actor=None,
        action="activity.rolled_up",
        actor_name="system",
        data={"month": month.isoformat(), "areas": len(rows), "removed": removed},
    )
    return len(rows)


# --- What the pages read ------------------------------------------------------------------


def is_live(area: Area, period: Period, month: date) -> bool:
    return period.is_live(month) and area.depth >= settings.LIAISON_DASHBOARD_LIVE_DEPTH


def _stored(area: Area, months: list[date]) -> dict:
    """Months from the rollup, in one query: per month, the rows of ``area`` and its children."""
    if not months:
        return {}
    rows = (
        AreaMonth.objects.filter(month__in=months, area_path__startswith=area.path)
        .annotate(width=Length("area_path"))
        .filter(width__lte=len(area.path) + Area.steplen)
        .values("month", "area_path", "computed_at", *ACTIVITY, *STANDING, "quota_by_rank")
    )
    return by_month(rows)


# Figures that need every cadre's year of diaries or pairings: read from the nightly rollup
# even for the month in progress (the page says when they were computed).
NIGHTLY = ("cadres", "cadres_behind", "breaking_rules", "quota_by_rank")


def liaison_figures(viewer, area: Area, period: Period, standing: bool = True) -> dict:
    """Activity over ``period`` and the standing figures at its end, for ``area`` and its
    children: ``{"total": row, "children": {path: row}, "computed_at": datetime | None}``.

    ``viewer`` must have ``area`` in scope (the caller fetched it through ``visible_to``).
    ``standing=False``: the activity only (comparisons with other periods).
    """
    total: dict = {}
    children: dict[str, dict] = {}
    computed_at = None
    child_len = len(area.path) + Area.steplen
    months = [m for m in period.months if m <= period.as_of]
    wanted = [m for m in months if not is_live(area, period, m) or (standing and m == months[-1])]
    prefetched = _stored(area, wanted)
    for index, month in enumerate(months):
        is_last = index == len(months) - 1
        as_of = min(month_end(month), period.as_of)
        if is_live(area, period, month):
            rows = activity_counts(area.path, month, as_of, child_len)
            if is_last and standing:
                _merge(rows, live_standing_counts(area.path, as_of, child_len))
            month_total, month_children = by_branch(rows, area.path, Area.steplen)
            if is_last and standing:
                stored, computed = prefetched.get(month, ({}, None))
                computed_at = newest(computed_at, computed)
                _take_nightly(month_total, stored.get(area.path, {}))
                for path, row in month_children.items():
                    _take_nightly(row, stored.get(path, {}))
        else:
            stored, computed = prefetched.get(month, ({}, None))
            computed_at = newest(computed_at, computed)
            month_total, month_children = area_and_children(stored, area.path)
        _add_month(total, month_total, is_last)
        for path, row in month_children.items():
            _add_month(children.setdefault(path, {}), row, is_last)
    return {
        "total": finish(total),
        "children": {path: finish(row) for path, row in children.items()},
        "computed_at": computed_at,
    }


def _take_nightly(row: dict, stored: dict) -> None:
    for name in NIGHTLY:
        row[name] = stored.get(name) or ({} if name == "quota_by_rank" else 0)


def _add_month(into: dict, row: dict, is_last: bool) -> None:
    for name in ACTIVITY:
        into[name] = into.get(name, 0) + (row.get(name) or 0)
    if is_last:
        for name in STANDING:
            into[name] = row.get(name) or 0
        into["quota_by_rank"] = row.get("quota_by_rank") or {}


def finish(row: dict) -> dict:
    row = {
        **{name: row.get(name) or 0 for name in (*ACTIVITY, *STANDING)},
        "quota_by_rank": row.get("quota_by_rank") or {},
    }
    must = row["must_visit"]
    row["must_paired"] = must - row["must_unpaired"]
    row["coverage"] = round(100 * row["must_paired"] / must, 1) if must else None
    cadres = row["cadres"]
    row["on_schedule"] = cadres - row["cadres_behind"]
    row["on_schedule_rate"] = round(100 * row["on_schedule"] / cadres, 1) if cadres else None
    return row


def activity_trend(
    viewer, area: Area, months: list[date], today: date, current: dict | None = None
) -> list[dict]:
    """Contacts, visits and stay days month by month (closed months from the rollup)."""
    stored = {
        row["month"]: row
        for row in AreaMonth.objects.filter(area=area, month__in=months).values("month", *ACTIVITY)
    }
    rows = []
    for month in months:
        if current is not None and month == today.replace(day=1):
            row = {name: current.get(name) or 0 for name in ACTIVITY}
        elif month >= today.replace(day=1) and area.depth >= settings.LIAISON_DASHBOARD_LIVE_DEPTH:
            live = activity_counts(area.path, month, min(month_end(month), today), 1)
            row = {name: sum((r.get(name) or 0) for r in live.values()) for name in ACTIVITY}
        else:
            row = {name: stored.get(month, {}).get(name) or 0 for name in ACTIVITY}
        rows.append({"month": month, **row})
    return rows


def cadres_behind(viewer, area: Area, today: date):
    """The cadres of the subtree behind schedule (to drill into), with their figures."""
    from .selectors import behind_schedule_q, with_quota_progress

    cadres = with_quota_progress(Cadre.objects.visible_to(viewer).subtree_of(area), today.year)
    has_quota = Q(quota_contacts__gt=0) | Q(quota_visits__gt=0) | Q(quota_stay__gt=0)
    return cadres.filter(has_quota).filter(behind_schedule_q(year_fraction(today)))


def cadres_behind_count(area: Area) -> tuple[int | None, object]:
    """(cadres of the subtree behind schedule, when counted): the nightly figure, no live scan."""
    from .models_rollup import AreaMonth

    row = (
        AreaMonth.objects.filter(area=area)
        .order_by("-month")
        .values_list("cadres_behind", "computed_at")
        .first()
    )
    return row if row else (None, None)
