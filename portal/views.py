import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foundation.models import AuditEvent
from liaison.selectors import coverage_by_branch
from responsibility_areas.models import LEADER_ROLES, Role
from responsibility_areas.selectors import (
    child_level_counts,
    current_area,
    level_counts,
    user_roles,
)

from .todo import todo_for

EXPORT_LIMIT = 100_000
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
        "todo": todo_for(request.user, area),
        "today": timezone.localdate(),
    }
    return render(request, "liaison/home.html", context)


def _ledger_panel(user, area) -> dict:
    """For leaders: this month's ledger figures (the dashboard's own), and meetings due."""
    from foundation.periods import period_from
    from grievances.indicators import ledger_figures, meetings_due

    period = period_from("month")
    figures = ledger_figures(user, area, period)
    return {
        "ledger_counts": figures["total"],
        "ledger_period": period,
        "ledger_computed_at": figures["computed_at"],
        "due": meetings_due(user, area, period.today),
    }


def filtered_events(request):
    """(events in scope as the change log's filter narrows them, the filter's values)."""
    from django.utils.dateparse import parse_date

    if not (request.user.is_superuser or user_roles(request.user) & AUDIT_READERS):
        raise Http404
    events = AuditEvent.objects.visible_to(request.user)
    get = request.GET
    person = get.get("person", "").strip()
    if person:
        events = events.filter(
            Q(actor_name__icontains=person)
            | Q(actor__first_name__icontains=person)
            | Q(actor__last_name__icontains=person)
        )
    action = get.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    object_type = get.get("object_type", "").strip()
    if object_type:
        events = events.filter(object_type=object_type)
    object_id = get.get("object_id", "").strip()
    if object_id:
        events = events.filter(object_id=object_id)
    since, until = parse_date(get.get("since", "") or ""), parse_date(get.get("until", "") or "")
    zone = timezone.get_current_timezone()
    if since:  # days in the user's time zone (Asia/Shanghai), as the page shows them
        start = datetime.datetime.combine(since, datetime.time())
        events = events.filter(at__gte=timezone.make_aware(start, zone))
    if until:
        end = until + datetime.timedelta(days=1)
        events = events.filter(
            at__lt=timezone.make_aware(datetime.datetime.combine(end, datetime.time()), zone)
        )
    filters = {
        k: v
        for k, v in {
            "person": person,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
        }.items()
        if v
    }
    return events.select_related("actor"), filters


@login_required
def audit_log(request):
    """Who did what to what, in words; filtered by person, action, object and date."""
    from urllib.parse import urlencode

    from . import history

    events, filters = filtered_events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "entries": [history.describe(event) for event in page],
        "filters": filters,
        "pager_query": urlencode(filters) + "&" if filters else "",
        "actions": history.action_choices(),
        "object_types": history.object_types(),
    }
    return render(request, "liaison/audit_log.html", context)


@login_required
def audit_export(request):
    """The change log as the filter shows it, in words, as .xlsx (itself recorded)."""
    from foundation.xlsx import export_list

    from . import history

    events, _filters = filtered_events(request)
    headers = [_("Time"), _("Who"), _("Did what"), _("To what"), _("Details")]

    def rows():
        for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
            entry = history.describe(event)
            details = "；".join(
                f"{d.label}：{d.before} → {d.value}"
                if d.before is not None
                else f"{d.label}：{d.value}"
                for d in entry.details
            )
            who = event.actor_name
            if event.actor is not None and event.actor.last_name:
                who = f"{event.actor.last_name}{event.actor.first_name}（{event.actor_name}）"
            yield [event.at, who, entry.phrase, f"{entry.object_kind} {entry.object_name}", details]

    return export_list(
        request, what="change_log", title=_("Change log"), headers=headers, rows=rows()
    )


def health(request):
    """For the load balancer and the operator, in well under a second, and honest.

    200 while the database answers (the site works, Redis or not); 503 when it does not.
    The body says what is degraded: Redis, the Celery worker's heartbeat (the minutely
    outbox drain), and how many tasks wait in the outbox for the broker.
    """
    from foundation import heartbeat, outbox
    from foundation.models import Outbox

    body = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL statement_timeout = '500ms'")
            cursor.execute("SELECT 1")
        body["database"] = "ok"
        body["outbox_waiting"] = Outbox.objects.filter(sent_at__isnull=True).count()
        # Sent to the broker and taken by no worker since: lost, or a queue far behind.
        body["outbox_unstarted"] = outbox.lost()
    except Exception:  # noqa: BLE001 - the answer is the diagnosis
        body.update(status="down", database="down")
        return JsonResponse(body, status=503)
    body.update(heartbeat.status())
    from grievances.deadlines import unknown_years

    missing = unknown_years()
    # Deadlines in a year the calendar lacks count Monday–Friday: the operator must know.
    body["calendar"] = "ok" if not missing else "missing " + ", ".join(map(str, missing))
    from liaison.services import overdue_import_jobs

    body["imports_overdue"] = overdue_import_jobs().count()
    if body["imports_overdue"] or body["outbox_unstarted"]:  # a task lost on its way
        body["status"] = "degraded"
    if body.get("redis") == "down" or body.get("worker") in {"silent", "unknown"}:
        body["status"] = "degraded"
    return JsonResponse(body)


def favicon(request):
    """``/favicon.ico``: browsers ask for it on every page; the site's icon, cached a day."""
    from django.contrib.staticfiles import finders
    from django.http import HttpResponse

    path = finders.find("img/favicon.svg")
    with open(path, "rb") as icon:
        response = HttpResponse(icon.read(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def service_worker(request):
    """``/sw.js`` from the site's root, so that it may serve the diary page offline."""
    from django.contrib.staticfiles import finders
    from django.http import HttpResponse

    with open(finders.find("js/sw.js"), "rb") as script:
        response = HttpResponse(script.read(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


HELP_SECTIONS = {
    "cadre": gettext_lazy("Cadres"),
    "clerk": gettext_lazy("Township clerks"),
    "leader": gettext_lazy("Leaders"),
    "administrator": gettext_lazy("Administrators"),
    "household": gettext_lazy("Households (the contact card)"),
}


@login_required
def help_page(request):
    """使用说明: what to do each day, by role; the user's own roles first."""
    roles = user_roles(request.user)
    mine = []
    if Role.CADRE in roles or getattr(request.user, "cadre", None) is not None:
        mine.append("cadre")
    if Role.CLERK in roles:
        mine.append("clerk")
    if roles & {*LEADER_ROLES, Role.SUPERVISOR}:
        mine.append("leader")
    if Role.ADMINISTRATOR in roles or request.user.is_superuser:
        mine.append("administrator")
    order = [*mine, *[key for key in HELP_SECTIONS if key not in mine]]
    sections = [(key, str(HELP_SECTIONS[key])) for key in order]
    return render(request, "portal/help.html", {"sections": sections})
