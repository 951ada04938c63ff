"""Public views, no login: the notice board (村务公开栏) and an Open311 GeoReport v2 facade.

Only what a notice board may show leaves here: kind, a summary with long digit runs
blotted out, the owner's name and post, deadline, status, the handling unit, and the
applicant's surname. Never an ID number, a phone number or a household's address.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from foundation.masking import mask_name
from liaison.models import MatterKind
from responsibility_areas.models import Area, Level

from .models import DONE_STATUSES, OPEN_STATUSES, Matter, MatterStatus

# Areas that have a public notice board, and the ones an Open311 jurisdiction may be.
BOARD_LEVELS = (Level.TOWNSHIP, Level.VILLAGE, Level.COMMUNITY)
JURISDICTION_LEVELS = (*BOARD_LEVELS, Level.COUNTY)
# Posted until closed out (销号): still open, or done and waiting for the household's word.
PENDING_STATUSES = (*OPEN_STATUSES, *DONE_STATUSES)
SUMMARY_LENGTH = 60
BOARD_LIMIT = 1000
OPEN311_LIMIT = 1000
OPEN311_DEFAULT_DAYS = 90

# Any run of 7+ digits (ASCII or full-width), maybe split by spaces or dashes: ID numbers,
# mobile and landline numbers typed into a description. (A written-out date goes too.)
_DIGITS = re.compile(r"[0-9０-９](?:[\s\-]?[0-9０-９xX]){6,}")


def public_summary(text: str, length: int = SUMMARY_LENGTH) -> str:
    """The first ``length`` characters, every long digit run blotted out (before cutting)."""
    clean = _DIGITS.sub("***", " ".join((text or "").split()))
    return clean if len(clean) <= length else clean[: length - 1] + "…"


def _previous_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _board_area(**lookup) -> Area:
    return get_object_or_404(Area.objects.filter(level__in=BOARD_LEVELS), **lookup)


def _parent_board(area: Area) -> Area | None:
    """The board one level up (a village's township), if it has one."""
    parent_path = area.path[: -Area.steplen]
    return (
        Area.objects.filter(path=parent_path, level__in=BOARD_LEVELS).first()
        if parent_path
        else None
    )


def _board(request, area: Area):
    today = timezone.localdate()
    start, end = _previous_month(today)
    subtree = Matter.objects.subtree_of(area)
    counts = subtree.aggregate(
        pending=Count("id", filter=Q(status__in=PENDING_STATUSES)),
        closed_last_month=Count(
            "id", filter=Q(status=MatterStatus.CLOSED_OUT, closed_on__gte=start, closed_on__lte=end)
        ),
    )
    rows = [
        {
            "number": m.number,
            "kind": m.get_kind_display(),
            "summary": public_summary(m.description),
            "applicant": mask_name(m.applicant_name),
            "owner_name": m.owner.name,
            "owner_post": m.owner.post,
            "deadline": m.deadline,
            "status": m.get_status_display(),
            "overdue": m.is_overdue(today),
            "handling": m.handling_area.name,
        }
        for m in subtree.filter(status__in=PENDING_STATUSES)
        .select_related("owner", "handling_area")
        .only(
            "number",
            "kind",
            "description",
            "applicant_name",
            "deadline",
            "status",
            "owner__name",
            "owner__post",
            "handling_area__name",
        )
        .order_by("deadline", "number")[:BOARD_LIMIT]
    ]
    children = Area.objects.filter(
        path__startswith=area.path, depth=area.depth + 1, level__in=BOARD_LEVELS
    ).order_by("path")
    return render(
        request,
        "grievances/public/board.html",
        {
            "area": area,
            "rows": rows,
            "counts": counts,
            "today": today,
            "last_month": start,
            "children": children,
            "limited": counts["pending"] > len(rows),
            "parent": _parent_board(area),
        },
    )


@require_GET
@cache_control(public=True, max_age=300)
def board(request, pk):
    """The notice board of a village or township, by the area's id."""
    return _board(request, _board_area(pk=pk))


@require_GET
@cache_control(public=True, max_age=300)
def board_by_code(request, code):
    """The same board, by the area's official division code (12 digits, or 9 for a township)."""
    code = code.strip()
    if not code.isdigit():
        raise Http404
    return _board(request, _board_area(division_code=code.ljust(12, "0")))


# --- Open311 GeoReport v2 (read-only, JSON) ----------------------------------------------------


def _json(data, status: int = 200) -> JsonResponse:
    """UTF-8 JSON as the spec asks (Chinese readable, not \\u-escaped)."""
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _errors(status: int, description: str) -> JsonResponse:
    return _json([{"code": status, "description": description}], status=status)


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _iso_day(day: date | None, end_of_day: bool = False) -> str | None:
    if day is None:
        return None
    moment = datetime.combine(day, time(23, 59, 59) if end_of_day else time(0, 0))
    return _iso(timezone.make_aware(moment))


def _service_request(matter: Matter) -> dict:
    closed = matter.status == MatterStatus.CLOSED_OUT
    return {
        "service_request_id": matter.number,
        "status": "closed" if closed else "open",
        "status_notes": f"{matter.get_status_display()} · {matter.get_level_display()}",
        "service_name": matter.get_kind_display(),
        "service_code": matter.kind,
        "description": public_summary(matter.description, 4000),
        "agency_responsible": matter.handling_area.name,
        "service_notice": "",
        "requested_datetime": _iso_day(matter.received_on),
        "updated_datetime": _iso_day(matter.closed_on, True) if closed else _iso(matter.updated_at),
        "expected_datetime": _iso_day(matter.deadline, True),
        "address": matter.area.name,
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def _public_matters():
    return Matter.objects.select_related("area", "handling_area").only(
        "number",
        "status",
        "level",
        "kind",
        "description",
        "received_on",
        "closed_on",
        "updated_at",
        "deadline",
        "area__name",
        "handling_area__name",
    )


@require_GET
def open311_discovery(request):
    base = request.build_absolute_uri("/open311/v2/")
    return _json(
        {
            "changeset": "2026-11-01T00:00:00+08:00",
            "contact": _("The office of the township or county liaison work."),
            "key_service": "",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-11-01T00:00:00+08:00",
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


@require_GET
def open311_services(request):
    """service_list: the four kinds of matter."""
    return _json(
        [
            {
                "service_code": code,
                "service_name": str(label),
                "description": str(label),
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": _("Grievance ledger"),
            }
            for code, label in MatterKind.choices
        ]
    )


def _parse_day(value: str, name: str) -> date:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(_("%(name)s is not an ISO 8601 date.") % {"name": name}) from exc
    return timezone.localtime(parsed).date() if timezone.is_aware(parsed) else parsed.date()


def _jurisdiction(value: str) -> Area | None:
    value = value.strip()
    if not value.isdigit():
        return None
    areas = Area.objects.filter(level__in=JURISDICTION_LEVELS)
    if len(value) >= 9:
        return areas.filter(division_code=value.ljust(12, "0")).first()
    return areas.filter(pk=int(value)).first()


def _filtered(params, matters):
    """Apply the GeoReport filters; raises ValueError with a message for a bad one."""
    ids = [v.strip() for v in params.get("service_request_id", "").split(",") if v.strip()]
    if ids:  # The spec: a list of ids overrides every other filter.
        return matters.filter(number__in=ids)
    statuses = {v.strip() for v in params.get("status", "").split(",") if v.strip()}
    if statuses - {"open", "closed"}:
        raise ValueError(_("status must be open or closed."))
    if statuses == {"open"}:
        matters = matters.exclude(status=MatterStatus.CLOSED_OUT)
    elif statuses == {"closed"}:
        matters = matters.filter(status=MatterStatus.CLOSED_OUT)
    codes = {v.strip() for v in params.get("service_code", "").split(",") if v.strip()}
    if codes:
        matters = matters.filter(kind__in=codes)
    today = timezone.localdate()
    end = _parse_day(params["end_date"], "end_date") if params.get("end_date") else today
    start = (
        _parse_day(params["start_date"], "start_date")
        if params.get("start_date")
        else end - timedelta(days=OPEN311_DEFAULT_DAYS)
    )
    if start > end or (end - start).days > OPEN311_DEFAULT_DAYS:
        raise ValueError(_("start_date and end_date must be at most 90 days apart."))
    return matters.filter(received_on__gte=start, received_on__lte=end)


@require_GET
def open311_requests(request):
    """Requests of one jurisdiction (a county, township or village by division code or id)."""
    raw = request.GET.get("jurisdiction_id", "")
    if not raw.strip():
        return _errors(400, _("jurisdiction_id is required."))
    area = _jurisdiction(raw)
    if area is None:
        return _errors(404, _("Unknown jurisdiction_id."))
    try:
        matters = _filtered(request.GET, _public_matters().subtree_of(area))
    except ValueError as exc:
        return _errors(400, str(exc))
    rows = matters.order_by("-received_on", "-id")[:OPEN311_LIMIT]
    return _json([_service_request(m) for m in rows])


@require_GET
def open311_request(request, number):
    """One request by its number, as a list of one (the spec's shape)."""
    matter = _public_matters().filter(number=number).first()
    if matter is None:
        return _errors(404, _("Unknown service_request_id."))
    return _json([_service_request(matter)])
