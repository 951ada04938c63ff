"""Reads over people and their links: set-based, in the database, over the area path.

Coverage ("no household left behind") and quota compliance are GROUP BYs over the
denormalised ``area_path`` prefix of the branch below the chosen area; per-cadre figures
are correlated subqueries on the (cadre, visited_on) index, so they can be filtered and
grouped without loading rows into Python.
"""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from responsibility_areas.models import Area, Role
from responsibility_areas.selectors import user_roles

from .models import (
    CATEGORY_BITS,
    IN_PERSON_KINDS,
    Cadre,
    Commitment,
    ContactQuota,
    Household,
    HouseholdCategory,
    Pairing,
    QuotaBasis,
    ResponsibilityAssignment,
    Visit,
    VisitHousehold,
    VisitMatter,
)

POOR_BIT = CATEGORY_BITS[HouseholdCategory.POOR]


def year_fraction(today: date) -> float:
    """How much of ``today``'s year has passed (1 Jan = 1/365; never 0)."""
    start = date(today.year, 1, 1)
    days = (date(today.year + 1, 1, 1) - start).days
    return ((today - start).days + 1) / days


def active_pairing_exists(on: date | None = None):
    return Exists(Pairing.objects.active(on).filter(household=OuterRef("pk")))


def with_last_visit(households):
    last = VisitHousehold.objects.filter(household=OuterRef("pk")).order_by("-visited_on")
    return households.annotate(last_visit=Subquery(last.values("visited_on")[:1]))


def cadre_only(user) -> bool:
    """A user whose only role is cadre: sees and writes only their own diaries."""
    own = getattr(user, "cadre", None)
    return own is not None and user_roles(user) <= {Role.CADRE} and not user.is_superuser


def visible_visits(user):
    """Cadres with no other role see their own diaries; others their subtree's."""
    if cadre_only(user):
        return Visit.objects.filter(cadre=user.cadre)
    return Visit.objects.listed_for(user)


def diary_cadres(user):
    """Cadres a user may enter diaries for: those in scope, or only themselves."""
    if cadre_only(user):
        return Cadre.objects.filter(pk=user.cadre.pk)
    return Cadre.objects.visible_to(user).order_by("name", "id")


PICK_LIMIT = 12


def households_to_pick(user, query: str, paired_with: int | None = None):
    """The few households a picker offers (diary, ledger filing), in ``user``'s scope.

    By name, pinyin initials or last digits of ID/phone; with no text, the active
    pairings of cadre ``paired_with`` (the caller has checked it may use that cadre).
    """
    households = Household.objects.visible_to(user)
    if query:
        results = households.search(query)
    elif paired_with is not None:
        results = households.filter(
            pairings__in=Pairing.objects.active().filter(cadre_id=paired_with)
        )
    else:
        results = households.none()
    return with_last_visit(results.select_related("area")).order_by("head_name", "id")[:PICK_LIMIT]


# --- Coverage --------------------------------------------------------------------------------


def coverage_by_branch(area: Area) -> list[dict]:
    """Per child of ``area``: households, must-visit households, and must-visit unpaired.

    The coverage figures of ``liaison.indicators`` (one definition), grouped by child branch.
    """
    from .indicators import coverage_counts

    counts = coverage_counts(area.path, timezone.localdate(), (area.depth + 1) * Area.steplen)
    children = Area.objects.filter(path__startswith=area.path, depth=area.depth + 1)
    result = []
    for child in children:
        found = counts.get(child.path, {})
        row = {
            "area": child,
            "households": found.get("households", 0),
            "must_visit": found.get("must_visit", 0),
            "unpaired": found.get("must_unpaired", 0),
        }
        must = row["must_visit"]
        row["coverage"] = round(100 * (must - row["unpaired"]) / must) if must else None
        result.append(row)
    return result


def unpaired_must_visit(viewer, area: Area):
    """Must-visit households of the subtree without an active pairing (to drill into)."""
    return (
        Household.objects.visible_to(viewer)
        .subtree_of(area)
        .must_visit()
        .annotate(paired=active_pairing_exists())
        .filter(paired=False)
        .select_related("area")
        .order_by("area_path", "head_name")
    )


# --- Contact quotas --------------------------------------------------------------------------


def _yearly(cadre_visits, year: int, expression):
    rows = cadre_visits.filter(visited_on__year=year).order_by().values("cadre")
    return Coalesce(
        Subquery(rows.annotate(v=expression).values("v")[:1], output_field=IntegerField()), Value(0)
    )


def _quota_case(rules: dict[str, int], lookup: str):
    whens = [When(**{lookup: key}, then=Value(value)) for key, value in rules.items()]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def with_quota_progress(cadres, year: int):
    """Annotate this year's contacts, in-person visits and stay days, and each cadre's quotas.

    Quotas: contacts and visits by the level of the area the cadre is responsible for
    (their current assignment), stay days by rank. The quota table is a handful of rows.
    """
    visits = Visit.objects.filter(cadre=OuterRef("pk"))
    quotas = list(ContactQuota.objects.all())
    by_level = {q.key: q for q in quotas if q.basis == QuotaBasis.AREA_LEVEL}
    by_rank = {q.key: q for q in quotas if q.basis == QuotaBasis.RANK}
    duty_level = (
        ResponsibilityAssignment.objects.active()
        .filter(cadre=OuterRef("pk"))
        .order_by("-area__depth")
    )
    return cadres.annotate(
        contacts=_yearly(visits, year, Count("id")),
        visits_in=_yearly(visits.filter(kind__in=IN_PERSON_KINDS), year, Count("id")),
        stay_days_sum=_yearly(visits, year, Sum("stay_days")),
        duty_level=Subquery(duty_level.values("area__level")[:1]),
    ).annotate(
        quota_contacts=_quota_case({k: q.min_contacts for k, q in by_level.items()}, "duty_level"),
        quota_visits=_quota_case({k: q.min_visits for k, q in by_level.items()}, "duty_level"),
        quota_stay=Case(
            *[
                When(
                    Q(rank=key) & (Q(is_leading=True) if q.leading_only else Q()),
                    then=Value(q.min_stay_days),
                )
                for key, q in by_rank.items()
            ],
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def behind_schedule_q(fraction: float) -> Q:
    """Cadres whose pace projects below a quota: done < quota × share of the year gone."""
    f = Value(fraction, output_field=FloatField())
    return (
        Q(contacts__lt=F("quota_contacts") * f)
        | Q(visits_in__lt=F("quota_visits") * f)
        | Q(stay_days_sum__lt=F("quota_stay") * f)
    )


def quota_compliance_by_branch(area: Area, today: date) -> list[dict]:
    """Per child of ``area``: cadres with a quota, of whom behind schedule, contacts this year.

    The figures of ``liaison.indicators`` (one definition): cadres counted where they
    answer for an area, quotas only for whom the rules name.
    """
    from .indicators import activity_counts, quota_counts

    child_len = len(area.path) + Area.steplen
    quotas = quota_counts(area.path, today, child_len)
    contacts = activity_counts(area.path, date(today.year, 1, 1), today, child_len)
    rows = []
    for child in Area.objects.filter(path__startswith=area.path, depth=area.depth + 1):
        quota = quotas.get(child.path, {})
        rows.append(
            {
                "area": child,
                "cadres": quota.get("cadres", 0),
                "behind": quota.get("cadres_behind", 0),
                "contacts_total": contacts.get(child.path, {}).get("contacts", 0),
            }
        )
    return rows


def progress_row(cadre, today: date) -> dict:
    """Figures for one annotated cadre: done, quota, projected to year end, behind or not."""
    fraction = year_fraction(today)
    items = []
    for label_key, done, quota in (
        ("contacts", cadre.contacts, cadre.quota_contacts),
        ("visits", cadre.visits_in, cadre.quota_visits),
        ("stay", cadre.stay_days_sum, cadre.quota_stay),
    ):
        projected = round(done / fraction)
        items.append(
            {
                "key": label_key,
                "done": done,
                "quota": quota,
                "projected": projected,
                "behind": bool(quota) and projected < quota,
            }
        )
    return {"items": items, "behind": any(i["behind"] for i in items)}


# --- The cadre's own page --------------------------------------------------------------------


def cadre_households(viewer, cadre: Cadre):
    """The households ``cadre`` is paired with now that ``viewer`` may see.

    A cadre may be paired across a boundary (a county leader pairs a 南屏镇 cadre with a
    思茅镇 household): a 南屏镇 clerk sees the cadre but not that household.
    """
    households = Household.objects.visible_to(viewer).filter(
        pairings__in=Pairing.objects.active().filter(cadre=cadre)
    )
    return with_last_visit(households.select_related("area")).order_by("last_visit", "head_name")


def commitments_of(viewer, cadre: Cadre, year: int):
    return Commitment.objects.visible_to(viewer).filter(cadre=cadre, year=year).order_by("id")


def commitment_target(cadre: Cadre) -> tuple[int, int]:
    """At least 2 commitments a year; leading cadres 3–5 (DOMAIN.md §5)."""
    return (3, 5) if cadre.is_leading else (2, None)


# --- To-do lists (待办) ------------------------------------------------------------------------


def quarter_start(today: date) -> date:
    return date(today.year, (today.month - 1) // 3 * 3 + 1, 1)


def not_visited_this_quarter(viewer, cadre: Cadre, today: date):
    """``cadre``'s paired households with no visit since the quarter began; must-visit first."""
    from .models import MUST_VISIT_MASK

    since = quarter_start(today)
    visited = VisitHousehold.objects.filter(household=OuterRef("pk"), visited_on__gte=since)
    households = (
        Household.objects.visible_to(viewer)
        .filter(pairings__in=Pairing.objects.active(today).filter(cadre=cadre))
        .annotate(must=F("categories").bitand(MUST_VISIT_MASK))
        .exclude(Exists(visited))
    )
    return with_last_visit(households).order_by(F("must").desc(), "head_name", "id")


def with_unfiled_matters(visits):
    """The diaries among ``visits`` that raised a matter not solved on the spot and not yet
    in the ledger (the diary list's ``unfiled`` filter)."""
    unfiled = VisitMatter.objects.filter(solved_on_spot=False, ledger_matter__isnull=True)
    return visits.filter(pk__in=unfiled.values("visit_id"))


def diaries_with_unfiled_matters(viewer, area: Area):
    """Diaries of ``area``'s subtree with a matter not yet in the ledger, oldest first: the
    rows behind the clerk's 待办 figure (and the diary list's ``unfiled=true``)."""
    return (
        with_unfiled_matters(visible_visits(viewer).filter(area_path__startswith=area.path))
        .select_related("cadre")
        .order_by("visited_on", "id")
    )


def imports_waiting(viewer):
    """Roster imports checked and waiting for someone to confirm them."""
    from .models_imports import ImportJob, ImportStatus

    return (
        ImportJob.objects.visible_to(viewer)
        .filter(status=ImportStatus.PREVIEWED)
        .select_related("user")
        .order_by("created_at", "id")
    )
