"""A year's satisfaction surveys for the demo county (seed_demo), idempotent.

思茅镇: a valid campaign (over 100 participants, over half grassroots), closed, with two
cadres over one third — one case resolved, one open; 南屏镇: a campaign still open and not
valid (too few participants). Answers come as paper batches, as clerks would enter them.
"""

from __future__ import annotations

import random
from datetime import date

from django.utils import timezone

from liaison.models import Cadre, Household
from responsibility_areas.models import Area, Level

from . import services
from .models import Campaign, CaseAction, Questionnaire

QUESTIONS = [
    {"code": "q1", "text": "您对结对干部联系服务群众的情况满意吗？", "kind": "scale"},
    {"code": "q2", "text": "您对结对干部帮助解决困难问题的情况满意吗？", "kind": "scale"},
    {"code": "q3", "text": "您对结对干部的工作作风满意吗？", "kind": "scale"},
    {"code": "q4", "text": "您对干部工作还有什么意见和建议？", "kind": "text"},
]
NAME = "结对干部满意度测评（标准问卷）"


def seed_evaluations(county, demo_users: dict) -> dict[str, int]:
    questionnaire = Questionnaire.objects.filter(name=NAME).first()
    version = (
        questionnaire.current()
        if questionnaire
        else services.create_questionnaire(
            actor=None, name=NAME, subject="cadre", questions=QUESTIONS
        )
    )
    townships = list(
        Area.objects.filter(
            path__startswith=county.path, depth=county.depth + 1, level=Level.TOWNSHIP
        ).order_by("path")[:2]
    )
    year = timezone.localdate().year
    if not Campaign.objects.subtree_of(county).exists() and len(townships) == 2:
        clerk = demo_users["clerk"]
        _survey(
            townships[0],
            version,
            year,
            clerk,
            participants=120,
            grassroots=0.7,
            over_one_third=2,
            close=True,
            leader=demo_users["county_leader"],
        )
        _survey(
            townships[1],
            version,
            year,
            demo_users["clerk_nanping"],
            participants=30,
            grassroots=0.4,
            over_one_third=0,
            close=False,
            leader=demo_users["county_leader"],
        )
    campaigns = Campaign.objects.subtree_of(county)
    return {
        "survey campaigns": campaigns.count(),
        "survey answers": sum(c.responses.count() for c in campaigns),
    }


def _survey(
    township, version, year, clerk, *, participants, grassroots, over_one_third, close, leader
):
    rng = random.Random(f"survey-{township.pk}")
    campaign = services.create_campaign(
        actor=None,
        area=township,
        name=f"{year}年度{township.name}结对干部满意度测评",
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        questionnaire=version,
    )
    services.open_campaign(actor=None, campaign=campaign)
    cadres = list(Cadre.objects.subtree_of(township).order_by("pk")[:8])
    households = list(Household.objects.subtree_of(township).order_by("pk")[:participants])
    poor_marks = set(c.pk for c in cadres[:over_one_third])
    rows = []
    for n, household in enumerate(households):
        cadre = cadres[n % len(cadres)]
        bad = cadre.pk in poor_marks
        digits = {}
        for q in QUESTIONS:
            if q["kind"] == "text":
                digits[q["code"]] = ""
                continue
            roll = rng.random()
            if bad:
                digits[q["code"]] = "3" if roll < 0.5 else ("2" if roll < 0.8 else "1")
            else:
                digits[q["code"]] = (
                    "1" if roll < 0.7 else ("2" if roll < 0.92 else ("3" if roll < 0.97 else "4"))
                )
        rows.append(
            services.PaperRow(
                household,
                cadre,
                digits,
                grassroots=rng.random() < grassroots,
                number=f"{n + 1:04d}",
            )
        )
    for start in range(0, len(rows), 50):
        services.record_paper_batch(
            actor=clerk, campaign=campaign, surveyor=clerk, rows=rows[start : start + 50]
        )
    if close:
        cases = services.close_campaign(actor=None, campaign=campaign)
        if cases:
            services.resolve_case(
                actor=leader,
                case=cases[0],
                action=CaseAction.TALK,
                reason="已由镇党委书记谈话提醒，限期整改。",
            )
    return campaign
