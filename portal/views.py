from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render

from liaison.lib.models import AuditEvent
from liaison.selectors import coverage_by_branch
from responsibility_areas.models import LEADER_ROLES, Role
from responsibility_areas.selectors import (
    child_level_counts,
    current_area,
    level_counts,
    user_roles,
)

AUDIT_READERS = {Role.ADMINISTRATOR, Role.SUPERVISOR, Role.COUNTY_LEADER}


@login_required
def home(request):
    """One home page, its panels chosen by the user's roles."""
    roles = user_roles(request.user)
    area = current_area(request)
    is_leader = request.user.is_superuser or bool(roles & {*LEADER_ROLES, Role.SUPERVISOR})
    context = {
        "area": area,
        "is_leader": is_leader,
        "is_clerk": Role.CLERK in roles,
        "is_cadre": Role.CADRE in roles,
        "is_supervisor": Role.SUPERVISOR in roles,
        "own_cadre": getattr(request.user, "cadre", None),
        "totals": level_counts(area) if area else {},
        "children": child_level_counts(area) if area else [],
        "coverage_rows": coverage_by_branch(area) if area and is_leader else [],
        **(_ledger_panel(request.user, area) if area and is_leader else {}),
    }
    return render(request, "liaison/home.html", context)


def _ledger_panel(user, area) -> dict:
    """For leaders: this month's ledger figures (the dashboard's own), and meetings due."""
    from grievances.indicators import ledger_figures, meetings_due
    from liaison.lib.periods import period_from

    period = period_from("month")
    figures = ledger_figures(user, area, period)
    return {
        "ledger_counts": figures["total"],
        "ledger_period": period,
        "ledger_computed_at": figures["computed_at"],
        "due": meetings_due(user, area, period.today).filter(depth__lte=area.depth + 1),
    }


@login_required
def audit_log(request):
    if not (request.user.is_superuser or user_roles(request.user) & AUDIT_READERS):
        raise Http404
    events = AuditEvent.objects.visible_to(request.user).select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "liaison/audit_log.html", {"page": page, "action": action})


def health(request):
    """For the load balancer and the operator, in well under a second, and honest.

    200 while the database answers (the site works, Redis or not); 503 when it does not.
    The body says what is degraded: Redis, the Celery worker's heartbeat (the minutely
    outbox drain), and how many tasks wait in the outbox for the broker.
    """
    from liaison.lib import heartbeat
    from liaison.lib.models import Outbox

    body = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL statement_timeout = '500ms'")
            cursor.execute("SELECT 1")
        body["database"] = "ok"
        body["outbox_waiting"] = Outbox.objects.filter(sent_at__isnull=True).count()
    except Exception:  # noqa: BLE001 - the answer is the diagnosis
        body.update(status="down", database="down")
        return JsonResponse(body, status=503)
    body.update(heartbeat.status())
    if body.get("redis") == "down" or body.get("worker") in {"silent", "unknown"}:
        body["status"] = "degraded"
    return JsonResponse(body)
