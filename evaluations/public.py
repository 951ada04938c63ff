"""The survey on the household's public page (its contact card's QR code): no log-in,
phone-first, Chinese, nothing personal shown, rate-limited per address."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from foundation.ratelimit import hit_rate
from liaison.cards import household_pk_from_token
from liaison.models import Cadre, Household, Pairing
from responsibility_areas.models import Area, Level

from . import services
from .models import Campaign, CampaignStatus, Channel, QuestionKind, Response, Scale

SCALE_CHOICES = Scale.choices  # 满意, 基本满意, 不满意, 不了解 (labels translated when shown)


def open_campaigns_for(household):
    """Open campaigns about paired cadres whose subtree holds the household, today."""
    today = timezone.localdate()
    prefixes = [household.area_path[:n] for n in range(4, len(household.area_path) + 1, 4)]
    return Campaign.objects.filter(
        Q(covers_cadres=True) | Q(covers_leading_bodies=True),
        status=CampaignStatus.OPEN,
        area_path__in=prefixes,
        period_start__lte=today,
        period_end__gte=today,
    ).select_related("questionnaire")


def _forms(household, errors=None, posted=None):
    cadres = [
        p.cadre
        for p in Pairing.objects.active().filter(household=household).select_related("cadre")
    ]
    forms = []
    village = household.area.nearest([Level.VILLAGE, Level.COMMUNITY])
    for campaign in open_campaigns_for(household):
        subjects = [("c", cadre) for cadre in cadres] if campaign.covers_cadres else []
        if campaign.covers_leading_bodies and village is not None:
            subjects.append(("b", village))
        for kind, subject in subjects:
            cadre = subject if kind == "c" else None
            body = subject if kind == "b" else None
            earlier = (
                Response.objects.filter(
                    campaign=campaign,
                    household=household,
                    cadre=cadre,
                    subject_area=body,
                    channel=Channel.QR,
                )
                .prefetch_related("answers")
                .first()
            )
            given = (
                {a.question: a.value or a.text for a in earlier.answers.all()} if earlier else {}
            )
            key = f"{campaign.pk}-{kind}{subject.pk}"
            if posted is not None and posted.get("form") == key:
                given = {
                    q["code"]: posted.get(q["code"], "") for q in campaign.questionnaire.questions
                }
            forms.append(
                {
                    "key": key,
                    "campaign": campaign,
                    "subject": cadre.name
                    if cadre
                    else _("%(area)s leading body") % {"area": body.name},
                    "answered": earlier is not None,
                    "questions": [
                        {
                            **q,
                            "is_scale": q["kind"] == QuestionKind.SCALE,
                            "given": given.get(q["code"], ""),
                            "choices": SCALE_CHOICES
                            if q.get("allow_unknown", True)
                            else SCALE_CHOICES[:3],
                        }
                        for q in campaign.questionnaire.questions
                    ],
                    "error": (errors or {}).get(key),
                }
            )
    return forms


def survey_section(request, household, token) -> str:
    """The survey block of the public page, or "" when no campaign is open there."""
    forms = _forms(household)
    if not forms:
        return ""
    return render_to_string(
        "evaluations/_survey.html", {"forms": forms, "token": token}, request=request
    )


@require_POST
@cache_control(private=True, max_age=0)
def survey_answer(request, token):
    """One household's answer about one paired cadre; a second answer replaces the first."""
    verdict = hit_rate("survey", request, settings.LIAISON_SURVEY_RATE_PER_IP)
    if not verdict.allowed:
        response = render(request, "429.html", {"retry_after": verdict.retry_after}, status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    pk = household_pk_from_token(token)
    if pk is None:
        raise Http404
    household = get_object_or_404(Household.objects.select_related("area"), pk=pk)
    campaign_id, _sep, subject = request.POST.get("form", "").partition("-")
    kind, subject_id = subject[:1], subject[1:]
    if not (campaign_id.isdigit() and subject_id.isdigit() and kind in {"c", "b"}):
        raise Http404
    campaign = get_object_or_404(Campaign.objects.select_related("questionnaire"), pk=campaign_id)
    cadre = get_object_or_404(Cadre, pk=subject_id) if kind == "c" else None
    body = get_object_or_404(Area, pk=subject_id) if kind == "b" else None
    try:
        services.record_qr_answer(
            campaign=campaign, household=household, cadre=cadre, body=body, values=request.POST
        )
    except services.EvaluationError as exc:
        if exc.code in {"closed", "outside", "not_paired"}:
            return render(
                request,
                "evaluations/survey_refused.html",
                {"message": exc.message, "token": token},
                status=409,
            )
        forms = _forms(household, errors={request.POST["form"]: exc.message}, posted=request.POST)
        return render(
            request,
            "evaluations/survey_page.html",
            {"forms": forms, "token": token},
            status=400,
        )
    name = cadre.name if cadre else _("%(area)s leading body") % {"area": body.name}
    return render(request, "evaluations/survey_thanks.html", {"token": token, "subject": name})
