"""The household's ballot (测评码): no log-in, phone-first, Chinese, rate-limited.

The contact card is not a ballot — the cadre being graded prints it. The card's page only
says a survey is under way and points to ``/survey/``, where the household types the code
the inspection team handed it (``evaluations.ballots``). The code travels in the form body,
never in an address. Once sent, an answer is never shown again, to anyone: the form opens
blank every time, and the reply is the same whether it was a first answer or a correction.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from foundation.ratelimit import hit_rate

from . import services
from .models import Campaign, CampaignStatus, QuestionKind, Scale
from .selectors import ballot_for, ballot_subjects

SCALE_CHOICES = Scale.choices  # 满意, 基本满意, 不满意, 不了解 (labels translated when shown)


def open_campaigns_for(household):
    """Open campaigns whose subtree holds the household, today."""
    today = timezone.localdate()
    prefixes = [household.area_path[:n] for n in range(4, len(household.area_path) + 1, 4)]
    return Campaign.objects.filter(
        Q(covers_cadres=True) | Q(covers_leading_bodies=True),
        status=CampaignStatus.OPEN,
        area_path__in=prefixes,
        period_start__lte=today,
        period_end__gte=today,
    )


def survey_section(request, household, token) -> str:
    """The card page's pointer to the ballot, or "" when no campaign is open there."""
    campaigns = list(open_campaigns_for(household))
    if not campaigns:
        return ""
    return render_to_string(
        "evaluations/_survey_pointer.html", {"campaigns": campaigns}, request=request
    )


def _forms(ballot, error=None, posted=None) -> list[dict]:
    campaign = ballot.campaign
    forms = []
    for kind, subject in ballot_subjects(campaign, ballot.household):
        key = f"{kind}{subject.pk}"
        # Only what this very request carried is shown back (a refused answer to correct);
        # an answer once recorded is never shown again.
        given = posted if posted is not None and posted.get("form") == key else {}
        forms.append(
            {
                "key": key,
                "subject": subject.name
                if kind == "c"
                else _("%(area)s leading body") % {"area": subject.name},
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
                "error": error if given else None,
            }
        )
    return forms


def _limited(request):
    verdict = hit_rate("survey", request, settings.LIAISON_SURVEY_RATE_PER_IP)
    if verdict.allowed:
        return None
    response = render(request, "429.html", {"retry_after": verdict.retry_after}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


@never_cache
@sensitive_post_parameters("code")
def ballot(request):
    """GET: the code form. POST with a code: the forms of the subjects it may grade. POST
    with a code and one form's answers: record them (a second time replaces the first)."""
    if request.method != "POST":
        return render(request, "evaluations/ballot_code.html", {})
    limited = _limited(request)
    if limited is not None:
        return limited
    typed = request.POST.get("code", "")
    found = ballot_for(typed)
    if found is None:
        return render(
            request,
            "evaluations/ballot_code.html",
            {"error": _("This code is not valid, or its survey is not open.")},
            status=400,
        )
    context = {"campaign": found.campaign, "code": typed}
    key = request.POST.get("form", "")
    if not key:
        return render(request, "evaluations/survey_page.html", {**context, "forms": _forms(found)})
    kind, subject_id = key[:1], key[1:]
    try:
        services.record_qr_answer(
            ballot=found,
            kind=kind,
            subject_id=int(subject_id) if subject_id.isdigit() else 0,
            values=request.POST,
        )
    except services.EvaluationError as exc:
        forms = _forms(found, error=exc.message, posted=request.POST)
        status = 400 if exc.code == "unanswered" else 409
        return render(
            request,
            "evaluations/survey_page.html",
            {**context, "forms": forms, "error": None if exc.code == "unanswered" else exc.message},
            status=status,
        )
    return render(request, "evaluations/survey_thanks.html", context)
