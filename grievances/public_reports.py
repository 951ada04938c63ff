"""The public side of the contact card: report a matter, follow it, the village's board.

No login. What the household types goes to its first cadre as a :class:`PublicReport`;
the page answers with a reference and a check code; the follow page shows the status of
the report and, once the cadre has taken it into the ledger, of the matter — never a
name, a phone or an ID number. Both forms are rate-limited per address; a bad or
expired card token gets a Chinese page that says what to do.
"""

from __future__ import annotations

import hmac

import segno
from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from foundation.masking import mask_name
from foundation.ratelimit import hit_rate
from liaison.cards import household_pk_from_token
from liaison.models import Household
from responsibility_areas.models import Area

from . import services
from .models import PublicReport, ReportStatus
from .public import BOARD_LEVELS

REPORT_MAX = services.reports.MAX_LENGTH


def _find_report(reference: str, code: str) -> PublicReport | None:
    reference, code = (reference or "").strip(), (code or "").strip()
    if not reference or not code:
        return None
    report = (
        PublicReport.objects.filter(reference=reference).select_related("matter", "cadre").first()
    )
    expected = (
        report.check_hash if report else PublicReport.hash_code("x", "y")
    )  # same work either way
    if not hmac.compare_digest(expected, PublicReport.hash_code(reference, code)) or report is None:
        return None
    return report


def _limited(request, scope: str, rate: str):
    verdict = hit_rate(scope, request, rate)
    if verdict.allowed:
        return None
    response = render(request, "429.html", {"retry_after": verdict.retry_after}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def bad_card(request):
    """A token that is not ours (mistyped, cut off, or from an old card): say what to do."""
    return render(request, "public/bad_card.html", status=404)


def _household(token) -> Household | None:
    pk = household_pk_from_token(token)
    if pk is None:
        return None
    return Household.objects.select_related("area").filter(pk=pk).first()


def board_area(household: Household) -> Area | None:
    return household.area.nearest(BOARD_LEVELS[1:]) or household.area.nearest(BOARD_LEVELS)


def report_section(request, household, token) -> str:
    """On the card's page: report a matter, follow one, the village's notice board."""
    board = board_area(household)
    return render_to_string(
        "grievances/public/_card_section.html",
        {"token": token, "board": board},
        request=request,
    )


@cache_control(private=True, max_age=0)
def report_new(request, token):
    household = _household(token)
    if household is None:
        return bad_card(request)
    context = {"token": token, "masked_name": mask_name(household.head_name), "max": REPORT_MAX}
    if request.method == "POST":
        limited = _limited(request, "public-report", settings.LIAISON_REPORT_RATE_PER_IP)
        if limited:
            return limited
        description = request.POST.get("description", "")
        try:
            report, code = services.receive_public_report(
                household=household, description=description
            )
        except services.MatterError as exc:
            context.update(error=exc.message, description=description)
            return render(request, "grievances/public/report_form.html", context, status=400)
        context.update(report=report, code=code)
        response = render(request, "grievances/public/report_received.html", context)
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "grievances/public/report_form.html", context)


@cache_control(private=True, max_age=0)
def report_track(request):
    """Follow a report by its reference and check code (POST: the code stays out of URLs)."""
    context = {"reference": request.GET.get("reference", "")}
    if request.method == "POST":
        limited = _limited(request, "public-track", settings.LIAISON_TRACK_RATE_PER_IP)
        if limited:
            return limited
        reference = request.POST.get("reference", "").strip()
        report = _find_report(reference, request.POST.get("code", ""))
        context["reference"] = reference
        if report is None:
            context["not_found"] = True
            return render(request, "grievances/public/track.html", context, status=404)
        context.update(
            report=report, matter=report.matter, accepted=report.status == ReportStatus.ACCEPTED
        )
    response = render(request, "grievances/public/track.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def board_poster(request, pk):
    """A printable A4 poster with the QR code of the village's notice board."""
    area = get_object_or_404(Area, pk=pk, level__in=BOARD_LEVELS)
    url = request.build_absolute_uri(reverse("public:board", args=[area.pk]))
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    if base:
        url = base + reverse("public:board", args=[area.pk])
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=10, border=2)
    return render(
        request,
        "grievances/public/board_poster.html",
        {"area": area, "url": url, "qr": mark_safe(svg)},  # noqa: S308 - segno's own SVG
    )
