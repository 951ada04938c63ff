"""The dashboard pages: the board of an area, its Excel export, and the rows behind a figure."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from foundation import audit
from foundation.periods import KINDS, period_from, trailing_months
from foundation.replica import replica_reads
from foundation.xlsx import attachment
from responsibility_areas.models import Area, Role
from responsibility_areas.scoping import scope_paths
from responsibility_areas.selectors import SESSION_KEY, breadcrumbs, current_area, user_roles

from .exports import dashboard_workbook
from .figures import BY_KEY, INDICATORS, LEDGER_FIGURE, dashboard

READERS = {
    Role.ADMINISTRATOR,
    Role.COUNTY_LEADER,
    Role.TOWNSHIP_LEADER,
    Role.SUPERVISOR,
    Role.CLERK,
}


def may_read(user) -> bool:
    return user.is_superuser or bool(user_roles(user) & READERS)


def _area(request, pk) -> Area:
    if not may_read(request.user):
        raise Http404
    area = Area.objects.visible_to(request.user).filter(pk=pk).first()
    if area is None:
        raise Http404
    return area


@login_required
def index(request):
    """The dashboard of the area being worked in, else of the user's widest area."""
    if not may_read(request.user):
        raise Http404
    area = current_area(request)
    if area is None:
        paths = sorted(p for p in scope_paths(request.user) if p)
        area = Area.objects.filter(path=paths[0]).first() if paths else Area.get_first_root_node()
    if area is None:
        raise Http404
    return redirect("dashboard:area", pk=area.pk)


@login_required
@replica_reads
def area_board(request, pk):
    area = _area(request, pk)
    period = period_from(request.GET.get("period"))
    board = dashboard(request.user, area, period)
    months = trailing_months(period.today, 24)[::-1]
    context = {
        **board,
        "crumbs": breadcrumbs(request.user, area),
        "indicators": INDICATORS,
        "people_indicators": [i for i in INDICATORS if i.source == "people"],
        "ledger_indicators": [i for i in INDICATORS if i.source == "ledger"],
        "period_kinds": KINDS,
        "months": months,
        "chart_data": _chart_data(board),
        "quota_rows": _quota_rows(board["quota_by_rank"]),
        **_links_and_cells(board),
    }
    return render(request, "portal/dashboard.html", context)


def _links_and_cells(board) -> dict:
    """Every link of the page, built from one ``reverse`` (a page has ~300 of them)."""
    from portal.templatetags.board import shown

    area, period = board["area"], board["period"]
    base = reverse("dashboard:rows", args=[2147483647, "KEY"])
    board_base = reverse("dashboard:area", args=[2147483647])
    suffix = f"?period={period.param}"

    def link(pk, key):
        # Keys carry free text (a topic): quoted whole, as reverse() would.
        return base.replace("2147483647", str(pk)).replace("KEY", quote(key, safe="")) + suffix

    keys = [i.key for i in INDICATORS] + ["meetings_due", "notices_open", "cases_open"]
    rows = []
    for row in board["children"]:
        pk = row["area"].pk
        cells = []
        for i in INDICATORS:
            value = row.get(i.key)
            cells.append(
                {
                    "text": shown(value, i.percent),
                    "value": "" if value is None else value,
                    "url": link(pk, i.key),
                    "bad": bool(not i.higher_is_better and value),
                }
            )
        rows.append(
            {
                "area": row["area"],
                "url": board_base.replace("2147483647", str(pk)) + suffix,
                # One piece of escaped HTML per row: ~20 cells × 10 areas rendered node by
                # node were a fifth of the page's time.
                "cells": format_html_join(
                    "",
                    '<td class="num{}" data-value="{}"><a href="{}">{}</a></td>',
                    ((" bad" if c["bad"] else "", c["value"], c["url"], c["text"]) for c in cells),
                ),
            }
        )
    return {"links": {key: link(area.pk, key) for key in keys}, "child_rows": rows}


def _quota_rows(by_rank: dict) -> list[dict]:
    from liaison.models import Rank

    rows = []
    for rank, label in Rank.choices:
        cadres, behind = by_rank.get(rank, [0, 0])
        if cadres:
            rate = round(100 * (cadres - behind) / cadres, 1)
            rows.append(
                {"rank": rank, "label": label, "cadres": cadres, "behind": behind, "rate": rate}
            )
    return rows


def _chart_data(board) -> dict:
    """What the charts draw (the tables beside them show the same numbers)."""
    return {
        "children": [
            {
                "name": row["area"].name,
                "url": reverse("dashboard:area", args=[row["area"].pk]),
                **{i.key: row.get(i.key) for i in INDICATORS},
            }
            for row in board["children"]
        ],
        "indicators": [
            {"key": i.key, "label": str(i.label), "percent": i.percent} for i in INDICATORS
        ],
        "trend": [
            {
                "month": f"{row['month'].year}年{row['month'].month}月",
                **{
                    k: row.get(k)
                    for k in ("contacts", "visits_in", "stay_days", "new", "pending", "overdue")
                },
                "on_time_rate": row.get("on_time_rate"),
            }
            for row in board["trend"]
        ],
        "kinds": [
            {"name": str(row["label"]), "value": row["new"], "open": row["pending"]}
            for row in board["kinds"]["by_kind"]
        ],
        "topics": [
            {"name": str(row["label"]), "value": row["new"]} for row in board["kinds"]["by_topic"]
        ],
    }


@login_required
@replica_reads
def area_export(request, pk):
    area = _area(request, pk)
    period = period_from(request.GET.get("period"))
    board = dashboard(request.user, area, period)
    response = HttpResponse(
        dashboard_workbook(board),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{_('Dashboard')}（{area.name}）{period.param.replace('-', '')}.xlsx"
    response["Content-Disposition"] = attachment(name)
    _record_export(request.user, area, period)
    return response


@audit.service
def _record_export(user, area, period):
    audit.record(
        actor=user,
        action="dashboard.exported",
        obj=area,
        area_path=area.path,
        data={"period": period.param},
    )


@login_required
def rows(request, pk, key):
    """The list page behind one figure, filtered to the area (and period, for the ledger)."""
    area = _area(request, pk)
    period = period_from(request.GET.get("period"))
    request.session[SESSION_KEY] = area.pk  # every list page reads the area worked in
    if key in BY_KEY and BY_KEY[key].source == "ledger":
        params = {"area": area.pk, "figure": LEDGER_FIGURE.get(key, key), "period": period.param}
        return redirect(f"{reverse('grievances:list')}?{urlencode(params)}")
    if key.startswith("kind-") or key.startswith("topic-"):
        field, value = key.split("-", 1)
        params = {"area": area.pk, "figure": "new", "period": period.param, field: value}
        return redirect(f"{reverse('grievances:list')}?{urlencode(params)}")
    targets = {
        "households": reverse("household_list"),
        "must_visit": reverse("household_list") + "?must_visit=1",
        "coverage": reverse("household_list") + "?must_visit=1&unpaired=1",
        "must_unpaired": reverse("household_list") + "?must_visit=1&unpaired=1",
        "breaking_rules": reverse("cadre_list") + "?breaking_rules=1",
        "without_responsible": reverse("areas_without_responsible", args=[area.pk]),
        "contacts": reverse("visit_list") + f"?figure=contacts&period={period.param}",
        "visits_in": reverse("visit_list") + f"?figure=visits_in&period={period.param}",
        "stay_days": reverse("visit_list") + f"?figure=stay_days&period={period.param}",
        "on_schedule_rate": reverse("cadre_list") + "?behind=1",
        "meetings_due": reverse("meetings:due") + f"?area={area.pk}",
        "notices_open": reverse("supervision:list"),
        "cases_open": reverse("evaluations:campaigns"),
    }
    if key not in targets:
        raise Http404
    return redirect(targets[key])
