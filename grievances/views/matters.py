"""Ledger pages for matters: the list (with its export), a matter's page and its actions, filing.

Thin views: access helper (404 outside the scope) → form → service → redirect. A rule
broken in a service (``MatterError``) comes back as an error on the form, the typed text
kept; a stale page or an illegal transition answers 409 with the service's message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from foundation.idempotency import key_from, once
from foundation.replica import replica_reads
from foundation.xlsx import attachment, record_export
from grievances.deadlines import unknown_years
from liaison.models import Cadre, Household
from liaison.selectors import households_to_pick
from responsibility_areas.models import Area
from responsibility_areas.places import label_page, label_places
from responsibility_areas.selectors import current_area

from .. import services
from ..exports import export_filename, ledger_workbook
from ..forms import (
    ExplainForm,
    ExtendDeadlineForm,
    FeedbackForm,
    FileMatterForm,
    MatterFilter,
    ReopenForm,
    ReportUpForm,
    ResolveForm,
    StartWorkForm,
)
from ..models import Matter, MatterStatus

# Service errors that mean "the matter is not as you saw it": answered with 409.
CONFLICT_CODES = {"stale", "illegal_transition"}
PER_PAGE = 50

EVENT_LABELS = {
    "filed": gettext_lazy("Filed"),
    "start_work": gettext_lazy("Work started"),
    "report_up": gettext_lazy("Reported to the higher level"),
    "resolve": gettext_lazy("Resolved"),
    "explain": gettext_lazy("Closed with an explanation"),
    "record_feedback": gettext_lazy("Household feedback recorded"),
    "close_out": gettext_lazy("Closed out"),
    "reopen": gettext_lazy("Reopened"),
    "extend_deadline": gettext_lazy("Deadline extended"),
    "escalated": gettext_lazy("Escalated (past the deadline)"),
    "supervision_notice": gettext_lazy("Supervision notice issued"),
    "supervision_response": gettext_lazy("Supervision notice answered"),
    "meeting_decision": gettext_lazy("Decided at a joint meeting"),
}


def event_label(action: str) -> str:
    """A step's name as people read it; a step without one reads as a generic step, never
    as its internal code."""
    return EVENT_LABELS.get(action, gettext_lazy("Other step"))


def get_matter_for(user, pk) -> Matter:
    """The access helper: a matter the user may see, or 404."""
    matters = Matter.objects.visible_to(user).select_related(
        "area", "owner", "handler", "handling_area", "applicant", "closed_by", "created_by"
    )
    return get_object_or_404(matters, pk=pk)


def scoped_matters(request):
    """Matters the user may see, narrowed to the current area (arisen or handled there)."""
    matters = Matter.objects.visible_to(request.user)
    area = current_area(request)
    if area is not None:
        matters = matters.filter(
            Q(area_path__startswith=area.path) | Q(handling_path__startswith=area.path)
        )
    return matters, area


def filtered_matters(request):
    matters, area = scoped_matters(request)
    matter_filter = MatterFilter(request.GET or None, queryset=matters, request=request)
    return matter_filter, matters, area


def _status_counts(request, matters) -> list[dict]:
    """Counts per status of the list as filtered, except by status (one GROUP BY)."""
    params = request.GET.copy()
    params.pop("status", None)
    params.pop("page", None)
    rows = (
        MatterFilter(params, queryset=matters, request=request)
        .qs.order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = {row["status"]: row["n"] for row in rows}
    return [
        {"value": value, "label": label, "n": counts.get(value, 0)}
        for value, label in MatterStatus.choices
    ]


def _querystring(request, drop=("page",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


@login_required
def matter_list(request):
    matter_filter, matters, area = filtered_matters(request)
    filtered = matter_filter.qs if matter_filter.is_bound else matters
    rows = filtered.select_related("area", "owner", "handler", "handling_area").order_by(
        "-received_on", "-id"
    )
    page = label_page(Paginator(rows, PER_PAGE).get_page(request.GET.get("page")))
    owners = Cadre.objects.filter(pk__in=matters.values("owner_id")).order_by("name")[:300]
    return render(
        request,
        "grievances/list.html",
        {
            "calendar_missing": unknown_years(),
            "page": page,
            "area": area,
            "filter": matter_filter.form,
            "counts": _status_counts(request, matters),
            "owners": owners,
            "query": _querystring(request),
            "status_query": _querystring(request, drop=("page", "status")),
            "today": timezone.localdate(),
        },
    )


@login_required
@replica_reads
def matter_export(request):
    """The filtered list as .xlsx: formulas neutralised, ID and phone numbers masked."""
    matter_filter, matters, _area = filtered_matters(request)
    filtered = matter_filter.qs if matter_filter.is_bound else matters
    response = HttpResponse(
        ledger_workbook(filtered.order_by("-received_on", "-id")),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = attachment(export_filename())
    record_export(
        actor=request.user,
        what="ledger",
        rows=filtered.count(),
        area_path=_area.path if _area else "",
        filters={k: v for k, v in request.GET.items() if v},
    )
    return response


# --- A matter's page and its actions -------------------------------------------------------


def _handles(user, matter):
    return services.can_handle(user, matter)


def _leads(user, matter):
    return services.is_leader_for(user, matter.handling_area)


def _owns(user, matter):
    cadre = getattr(user, "cadre", None)
    return cadre is not None and cadre.pk == matter.owner_id


def _handles_not_leads(user, matter):
    return _handles(user, matter) and not _leads(user, matter)


# action -> (form, button label, who sees the form, the service call)
ACTIONS = {
    "start_work": (
        StartWorkForm,
        gettext_lazy("Start work"),
        _handles,
        lambda u, m, d: services.start_work(
            actor=u, matter=m, version=d["version"], note=d["note"]
        ),
    ),
    "report_up": (
        ReportUpForm,
        gettext_lazy("Report to the higher level"),
        _owns,
        lambda u, m, d: services.report_up(
            actor=u, matter=m, version=d["version"], reason=d["reason"]
        ),
    ),
    "resolve": (
        ResolveForm,
        gettext_lazy("Resolve"),
        _handles,
        lambda u, m, d: services.resolve(
            actor=u, matter=m, version=d["version"], resolution=d["resolution"]
        ),
    ),
    "explain": (
        ExplainForm,
        gettext_lazy("Close with an explanation"),
        _handles,
        lambda u, m, d: services.explain(
            actor=u, matter=m, version=d["version"], explanation=d["explanation"]
        ),
    ),
    "record_feedback": (
        FeedbackForm,
        gettext_lazy("Record the household's feedback"),
        _handles_not_leads,
        lambda u, m, d: services.record_feedback(
            actor=u,
            matter=m,
            version=d["version"],
            feedback=d["feedback"],
            satisfaction=d["satisfaction"],
            channel=d["channel"],
        ),
    ),
    "close_out": (
        FeedbackForm,
        gettext_lazy("Approve and close out"),
        _leads,
        lambda u, m, d: services.close_out(
            actor=u,
            matter=m,
            version=d["version"],
            feedback=d["feedback"],
            satisfaction=d["satisfaction"],
            channel=d["channel"],
        ),
    ),
    "reopen": (
        ReopenForm,
        gettext_lazy("Reopen"),
        _handles,
        lambda u, m, d: services.reopen(
            actor=u, matter=m, version=d["version"], reason=d["reason"]
        ),
    ),
    "extend_deadline": (
        ExtendDeadlineForm,
        gettext_lazy("Extend the deadline"),
        _leads,
        lambda u, m, d: services.extend_deadline(
            actor=u, matter=m, version=d["version"], deadline=d["deadline"], reason=d["reason"]
        ),
    ),
}


def _initial(action, matter) -> dict:
    initial = {"version": matter.version}
    if action in ("close_out", "record_feedback"):
        initial.update(feedback=matter.feedback, satisfaction=matter.satisfaction)
    return initial


def _action_forms(user, matter, bound=None) -> list[dict]:
    """The forms of the transitions legal now (and open to this user), plus a bound one."""
    forms = []
    for action, (form_class, label, allowed, _call) in ACTIONS.items():
        if bound is not None and bound[0] == action:
            forms.append({"action": action, "label": label, "form": bound[1], "open": True})
        elif matter.status in services.TRANSITIONS[action][0] and allowed(user, matter):
            form = form_class(prefix=action, initial=_initial(action, matter))
            forms.append({"action": action, "label": label, "form": form, "open": False})
    return forms


def _shown_date(iso: str) -> str:
    """A date kept as text in an event, shown as forms show dates (2027年1月6日)."""
    from datetime import date

    from django.utils.formats import date_format

    try:
        return date_format(date.fromisoformat(iso), "DATE_FORMAT")
    except (TypeError, ValueError):
        return iso


def _event_detail(event) -> str:
    data = event.data or {}
    if "to_area" in data:
        text = f"{data.get('from_area', '')} → {data['to_area']}"
        if "deadline" not in data:
            return text
        return _("%(path)s (new deadline %(date)s)") % {
            "path": text,
            "date": _shown_date(data["deadline"]),
        }
    if event.action == "extend_deadline":
        return f"{data.get('from', '')} → {data.get('to', '')}"
    if event.action == "filed":
        return _("deadline %(date)s") % {"date": _shown_date(data.get("deadline", ""))}
    return ""


def timeline(matter) -> list[dict]:
    return [
        {
            "event": event,
            "label": event_label(event.action),
            "detail": _event_detail(event),
        }
        for event in matter.events.select_related("actor").order_by("at", "id")
    ]


def render_matter(request, matter, bound=None, status=200):
    today = timezone.localdate()
    return render(
        request,
        "grievances/detail.html",
        {
            "matter": matter,
            "today": today,
            "days_left": (matter.deadline - today).days,
            "days_overdue": (today - matter.deadline).days,
            "overdue": matter.is_overdue(today),
            "timeline": timeline(matter),
            "actions": _action_forms(request.user, matter, bound),
        },
        status=status,
    )


@login_required
def matter_detail(request, pk):
    return render_matter(request, get_matter_for(request.user, pk))


@login_required
def matter_print(request, pk):
    """交办单: the matter on one A4 page — owner, handler, deadline, timeline, signatures."""
    matter = get_matter_for(request.user, pk)
    return render(
        request,
        "grievances/print.html",
        {"matter": matter, "timeline": timeline(matter), "today": timezone.localdate()},
    )


@login_required
@require_POST
def matter_action(request, pk, action):
    """One transition, refused unless the matter is still at the ``version`` the page showed."""
    matter = get_matter_for(request.user, pk)
    if action not in ACTIONS:
        return redirect(matter)
    form_class, _label, _allowed, call = ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if not form.is_valid():
        return render_matter(request, matter, bound=(action, form))
    try:
        matter = call(request.user, matter, form.cleaned_data)
    except services.MatterError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        status = 409 if exc.code in CONFLICT_CODES else 200
        return render_matter(request, get_matter_for(request.user, pk), (action, form), status)
    messages.success(
        request,
        _("Matter %(number)s: %(status)s.")
        % {"number": matter.number, "status": matter.get_status_display()},
    )
    return redirect(matter)


# --- Filing --------------------------------------------------------------------------------


def _file_form(request):
    households = Household.objects.visible_to(request.user)
    area = current_area(request)
    areas = Area.objects.visible_to(request.user)
    if area is not None:
        areas = areas.subtree_of(area)
    own = getattr(request.user, "cadre", None)
    return FileMatterForm(
        request.POST or None,
        households=households,
        areas=areas.order_by("path"),
        cadres=Cadre.objects.visible_to(request.user).order_by("name", "id"),
        initial={"received_on": timezone.localdate(), "owner": own.pk if own else None},
    )


def _chosen_household(form):
    if not form.is_bound:
        return None
    pk = form.data.get("applicant", "")
    if not str(pk).isdigit():
        return None
    return form.fields["applicant"].queryset.select_related("area").filter(pk=pk).first()


@login_required
def matter_new(request):
    """File a matter: a household (searched like on the diary screen) or a named person."""
    form = _file_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            matter = once(
                user=request.user,
                key=key_from(request),
                scope="matter",
                model=Matter,
                create=lambda: services.file_matter(
                    actor=request.user,
                    owner=data["owner"],
                    description=data["description"],
                    kind=data["kind"],
                    source=data["source"],
                    received_on=data["received_on"],
                    area=data["area"],
                    applicant=data["applicant"],
                    applicant_name=data["applicant_name"],
                    topic=data["topic"],
                ),
            ).obj
        except services.MatterError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Matter %(number)s entered in the ledger; deadline %(date)s.")
                % {"number": matter.number, "date": matter.deadline.isoformat()},
            )
            return redirect(matter)
    return render(
        request, "grievances/form.html", {"form": form, "chosen": _chosen_household(form)}
    )


@login_required
def household_search(request):
    """Households to choose as the applicant (radio buttons), in the user's scope."""
    query = request.GET.get("q", "").strip()
    results = label_places(households_to_pick(request.user, query))
    return render(
        request, "grievances/_household_results.html", {"results": results, "query": query}
    )
