"""The month's work on the ledger: the close-out screen, the monthly ledger, notifications."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from foundation.periods import Period
from foundation.replica import replica_reads
from foundation.xlsx import export_list
from responsibility_areas.models import Area, Role
from responsibility_areas.selectors import current_area, user_roles

from .. import services
from ..inbox import mark_notifications_read, notifications_for
from ..indicators import finish, ledger_figures
from ..models import DONE_STATUSES, Matter, Satisfaction

CLOSE_OUT_LIMIT = 200
ROLLUP_ROLES = {Role.ADMINISTRATOR, Role.TOWNSHIP_LEADER, Role.COUNTY_LEADER}


def _month(request, source) -> date:
    """The month asked for (``YYYY-MM``), else this month."""
    text = source.get("month", "")
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _recent_months(chosen: date, count=24) -> list[date]:
    first = timezone.localdate().replace(day=1)
    months = []
    for back in range(count):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    return months if chosen in months else [chosen, *months]


# --- Close-out -----------------------------------------------------------------------------


def _awaiting_close_out(request, month):
    """Resolved or explained matters of the current area, done by the end of ``month``."""
    _start, end = services.month_bounds(month)
    matters = Matter.objects.visible_to(request.user).filter(
        status__in=DONE_STATUSES, resolved_on__lte=end
    )
    area = current_area(request)
    if area is not None:
        matters = matters.filter(
            Q(area_path__startswith=area.path) | Q(handling_path__startswith=area.path)
        )
    matters = matters.select_related("area", "owner", "handler", "handling_area")
    return matters.order_by("resolved_on", "id")[:CLOSE_OUT_LIMIT], area


def _close_one(user, matter, feedback, satisfaction, version):
    """A leader of the handling level closes out; anyone else records the feedback for them."""
    if services.is_leader_for(user, matter.handling_area):
        return services.close_out(
            actor=user, matter=matter, feedback=feedback, satisfaction=satisfaction, version=version
        )
    return services.record_feedback(
        actor=user, matter=matter, feedback=feedback, satisfaction=satisfaction, version=version
    )


def _close_picked(request, matters) -> tuple[dict, list]:
    """One service call per picked row; a refused row keeps its error, the others go on."""
    errors, done = {}, []
    picked = {int(pk) for pk in request.POST.getlist("pick") if pk.isdigit()}
    for matter in matters:
        if matter.pk not in picked:
            continue
        version = request.POST.get(f"version-{matter.pk}", "")
        try:
            result = _close_one(
                request.user,
                matter,
                request.POST.get(f"feedback-{matter.pk}", ""),
                request.POST.get(f"satisfaction-{matter.pk}", ""),
                int(version) if version.isdigit() else 0,
            )
        except services.MatterError as exc:
            errors[matter.pk] = exc.message
        else:
            done.append(result)
    return errors, done


def _done_message(done) -> str:
    closed = sum(1 for m in done if m.status == "closed_out")
    reopened = sum(1 for m in done if m.status == "in_progress")
    recorded = len(done) - closed - reopened
    return _(
        "%(closed)d closed out, %(recorded)d awaiting the leader's approval, "
        "%(reopened)d reopened (household dissatisfied)."
    ) % {"closed": closed, "recorded": recorded, "reopened": reopened}


@login_required
def close_out_month(request):
    """The clerk reviews the month's resolved matters and closes them out in bulk."""
    month = _month(request, request.POST if request.method == "POST" else request.GET)
    matters, area = _awaiting_close_out(request, month)
    errors = {}
    if request.method == "POST":
        errors, done = _close_picked(request, list(matters))
        if done:
            messages.success(request, _done_message(done))
        if not errors:
            return redirect(f"{reverse('grievances:close_out')}?month={month:%Y-%m}")
        messages.error(request, _("Some matters were not saved: see the rows marked below."))
        matters, area = _awaiting_close_out(request, month)
    posted = request.POST if errors else {}
    rows = [
        {
            "matter": m,
            "error": errors.get(m.pk),
            "picked": str(m.pk) in posted.getlist("pick") if posted else False,
            "feedback": posted.get(f"feedback-{m.pk}", m.feedback) if posted else m.feedback,
            "satisfaction": posted.get(f"satisfaction-{m.pk}", m.satisfaction)
            if posted
            else m.satisfaction,
            "leads": services.is_leader_for(request.user, m.handling_area),
        }
        for m in matters
    ]
    for row in rows:  # feedback recorded, waiting for this leader's 批准销号
        row["awaiting_me"] = row["leads"] and bool(row["matter"].satisfaction)
    awaiting_only = bool(request.GET.get("awaiting"))
    if awaiting_only:
        rows = [row for row in rows if row["awaiting_me"]]
    return render(
        request,
        "grievances/close_out.html",
        {
            "awaiting_only": awaiting_only,
            "awaiting_count": sum(1 for row in rows if row["awaiting_me"]),
            "any_leads": any(row["leads"] for row in rows),
            "rows": rows,
            "area": area,
            "month": month,
            "months": _recent_months(month),
            "satisfactions": Satisfaction.choices,
            "limit": CLOSE_OUT_LIMIT,
        },
    )


# --- Monthly ledger ------------------------------------------------------------------------


def may_rerun_rollup(user) -> bool:
    return user.is_superuser or bool(user_roles(user) & ROLLUP_ROLES)


def _monthly(request):
    """(month, area, rows, total, computed_at): the month's ledger of the current area and
    its children (grievances.indicators), the month in progress live, closed ones stored."""
    month = _month(request, request.GET)
    area = current_area(request)
    rows, total, computed_at = [], None, None
    if area is not None:
        period = Period(month, month, timezone.localdate())
        figures = ledger_figures(request.user, area, period)
        children = Area.objects.visible_to(request.user).filter(
            path__startswith=area.path, depth=area.depth + 1
        )
        empty = finish({})
        rows = [
            {"area": child, **figures["children"].get(child.path, empty)}
            for child in children.order_by("path")
            if child.path in figures["children"]
        ]
        total = {"area": area, **figures["total"]}
        computed_at = figures["computed_at"]
    return month, area, rows, total, computed_at


MONTHLY_COLUMNS = (
    ("new", gettext_lazy("New")),
    ("resolved", gettext_lazy("Resolved")),
    ("explained", gettext_lazy("Explained")),
    ("closed_out", gettext_lazy("Closed out")),
    ("pending", gettext_lazy("Pending")),
    ("overdue", gettext_lazy("Overdue")),
    ("escalated", gettext_lazy("Escalated")),
    ("on_time_rate", gettext_lazy("On-time rate (%)")),
    ("avg_days", gettext_lazy("Average days to resolve")),
)


@login_required
@replica_reads
def monthly_ledger(request):
    """The month's ledger of the current area and its children, on the page."""
    month, area, rows, total, computed_at = _monthly(request)
    return render(
        request,
        "grievances/monthly.html",
        {
            "area": area,
            "month": month,
            "months": _recent_months(month),
            "rows": rows,
            "total": total,
            "computed_at": computed_at,
            "may_rerun": may_rerun_rollup(request.user),
        },
    )


@login_required
@replica_reads
def monthly_export(request):
    """The same table as .xlsx (one row per child area and the total), audited."""
    month, area, rows, total, _computed_at = _monthly(request)
    if area is None:
        raise Http404
    headers = [_("Area"), *[str(label) for _key, label in MONTHLY_COLUMNS]]
    lines = [
        [
            r["area"].name,
            *[r.get(key) if r.get(key) is not None else "" for key, _label in MONTHLY_COLUMNS],
        ]
        for r in [*rows, {**total, "area": area}]
    ]
    lines[-1][0] = _("Total") + " · " + area.name
    return export_list(
        request,
        what="monthly_ledger",
        title=f"{_('Monthly ledger')} {month:%Y-%m}",
        headers=headers,
        rows=lines,
        area=area,
        where=area.name,
    )


@login_required
@require_POST
def rerun_rollup(request):
    if not may_rerun_rollup(request.user):
        raise PermissionDenied
    month = _month(request, request.POST)
    areas = services.rollup_ledger(month=month)
    messages.success(
        request,
        _("The ledger of %(month)s was recomputed (%(n)d areas).")
        % {"month": f"{month:%Y-%m}", "n": areas},
    )
    return redirect(f"{reverse('grievances:monthly')}?month={month:%Y-%m}")


# --- Notifications -------------------------------------------------------------------------


@login_required
def notification_list(request):
    notes = notifications_for(request.user).select_related("matter")
    unread = notes.filter(read_at__isnull=True)
    only_unread = bool(request.GET.get("unread"))  # what 待办 counts
    page = Paginator(unread if only_unread else notes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "grievances/notifications.html",
        {"page": page, "unread": unread.count(), "only_unread": only_unread},
    )


@login_required
@require_POST
def notification_read(request):
    ids = [int(pk) for pk in request.POST.getlist("id") if pk.isdigit()]
    mark_notifications_read(actor=request.user, ids=None if "all" in request.POST else ids)
    return redirect("grievances:notifications")
