"""One dashboard's figures, assembled from the apps' indicator selectors.

Each figure has exactly one definition, in the app that owns its rows
(``liaison.indicators``, ``grievances.indicators``, ``evaluations.indicators``); this module
only puts them side by side, per child area, and over twelve months. The home page, the
API and the Excel export read the same :func:`dashboard` result.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from evaluations.indicators import satisfaction_figures
from foundation import generation
from foundation.periods import Period, trailing_months
from foundation.scoping import scope_paths
from grievances import indicators as ledger
from liaison import indicators as people
from responsibility_areas.models import Area


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    source: str  # "people" or "ledger"
    group: str
    percent: bool = False
    higher_is_better: bool = True
    link: str = ""  # how to open the rows behind it (see views.rows)


INDICATORS = [
    Indicator("households", _("Households"), "people", "coverage", link="households"),
    Indicator("must_visit", _("Must-visit households"), "people", "coverage", link="must_visit"),
    Indicator(
        "coverage", _("Must-visit households paired"), "people", "coverage", True, link="unpaired"
    ),
    Indicator(
        "must_unpaired",
        _("Must-visit without a pairing"),
        "people",
        "coverage",
        higher_is_better=False,
        link="unpaired",
    ),
    Indicator(
        "breaking_rules",
        _("Cadres breaking pairing rules"),
        "people",
        "coverage",
        higher_is_better=False,
        link="coverage",
    ),
    Indicator(
        "without_responsible",
        _("Areas without a responsible person"),
        "people",
        "coverage",
        higher_is_better=False,
        link="areas",
    ),
    Indicator("contacts", _("Contacts"), "people", "activity", link="visits"),
    Indicator("visits_in", _("In-person visits"), "people", "activity", link="visits"),
    Indicator("stay_days", _("Days lived in villages"), "people", "activity", link="visits"),
    Indicator(
        "on_schedule_rate", _("Cadres on schedule"), "people", "activity", True, link="behind"
    ),
    Indicator("new", _("New matters"), "ledger", "ledger", link="ledger"),
    Indicator("pending", _("Open matters"), "ledger", "ledger", link="ledger"),
    Indicator("overdue", _("Overdue"), "ledger", "ledger", higher_is_better=False, link="ledger"),
    Indicator(
        "escalated", _("Escalated"), "ledger", "ledger", higher_is_better=False, link="ledger"
    ),
    Indicator("on_time_rate", _("Settled on time"), "ledger", "ledger", True, link="ledger"),
    Indicator("closed_out", _("Closed out"), "ledger", "ledger", link="ledger"),
]
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
# Ledger indicators whose rows are a figure of grievances.indicators.
LEDGER_FIGURE = {"on_time_rate": "on_time"}


def _change(now, before):
    if now is None or before is None:
        return None
    return now - before


def dashboard(viewer, area: Area, period: Period) -> dict:
    """:func:`compute`, kept in the cache under the data generation: exact (any committed
    write moves the generation on), shared by the page, the API and the export."""
    key = cache_key(viewer, area, period)
    board = cache.get(key)
    if board is None:
        board = compute(viewer, area, period)
        cache.set(key, board, settings.LIAISON_DASHBOARD_CACHE_SECONDS)
    return board


def cache_key(viewer, area: Area, period: Period, kind: str = "board") -> str:
    """Exact: the data generation, the language, the area, the period and the viewer's scope."""
    return ":".join(
        [
            "dashboard",
            kind,
            str(generation.current()),
            get_language() or "",
            str(area.pk),
            period.param,
            period.today.isoformat(),
            hashlib.sha1("|".join(sorted(scope_paths(viewer))).encode()).hexdigest(),
        ]
    )


def compute(viewer, area: Area, period: Period) -> dict:
    """Every figure of ``area`` over ``period``, per child area, and twelve months of trend.

    ``viewer`` must have ``area`` in scope: callers fetch it through ``visible_to``.
    """
    figures = people.liaison_figures(viewer, area, period)
    ledger_now = ledger.ledger_figures(viewer, area, period)
    previous = people.liaison_figures(viewer, area, period.previous(), standing=False)["total"]
    last_year = people.liaison_figures(viewer, area, period.last_year(), standing=False)["total"]
    total = {**figures["total"], **ledger_now["total"]}
    activity = [
        {
            "indicator": BY_KEY[key],
            "value": total[key],
            "previous": previous[key],
            "last_year": last_year[key],
            "change": _change(total[key], previous[key]),
            "change_last_year": _change(total[key], last_year[key]),
        }
        for key in ("contacts", "visits_in", "stay_days")
    ]
    children = list(
        Area.objects.visible_to(viewer)
        .filter(path__startswith=area.path, depth=area.depth + 1)
        .order_by("path")
    )
    empty_people, empty_ledger = people.finish({}), ledger.finish({})
    rows = [
        {
            "area": child,
            **figures["children"].get(child.path, empty_people),
            **ledger_now["children"].get(child.path, empty_ledger),
        }
        for child in children
    ]
    months = trailing_months(period.as_of, 12)
    today = period.today
    in_progress = period.first == period.last == today.replace(day=1)
    trend_people = people.activity_trend(
        viewer, area, months, today, figures["total"] if in_progress else None
    )
    trend_ledger = ledger.ledger_trend(
        viewer, area, months, today, ledger_now["total"] if in_progress else None
    )
    trend = [{**a, **b} for a, b in zip(trend_people, trend_ledger, strict=True)]
    computed = [c for c in (figures["computed_at"], ledger_now["computed_at"]) if c]
    return {
        "area": area,
        "period": period,
        "total": total,
        "quota_by_rank": figures["total"]["quota_by_rank"],
        "activity": activity,
        "children": rows,
        "kinds": ledger.by_kind_and_topic(viewer, area, period, ledger_now),
        "oldest_overdue": list(ledger.oldest_overdue(viewer, area, period.today)),
        "overdue_now": ledger.overdue_now(viewer, area, period.today).count(),
        "meetings_due": list(ledger.meetings_due(viewer, area, period.today)),
        "notices_open": ledger.notices_open(viewer, area).count(),
        "satisfaction": satisfaction_figures(viewer, area),
        "trend": trend,
        "computed_at": max(computed) if computed else None,
        "live": not computed,
    }


def rows_url(area: Area, key: str, period: Period) -> str:
    return reverse("dashboard:rows", args=[area.pk, key]) + f"?period={period.param}"
