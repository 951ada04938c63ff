"""Survey answers at province scale for benchmarks: one campaign per county, one answer from
every actively paired household about its cadre (~2M with ``seed_scale``'s pairings).

Set-based SQL (INSERT … SELECT over pairings and households), the same on PostgreSQL and
SQLite. About one cadre in 97 gets mostly 不满意 answers, so the accountability rule has
something to find.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from foundation import audit
from liaison.models import Household, Pairing
from responsibility_areas.models import Area, Level

from .models import (
    Campaign,
    CampaignStatus,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseAnswer,
)

QUESTION = [
    {"code": "q1", "text": "您对结对干部的工作满意吗？", "kind": "scale", "allow_unknown": True}
]


@audit.service
def seed_answers_at_scale(*, root: Area, year: int | None = None) -> dict[str, int]:
    year = year or timezone.localdate().year
    questionnaire, _ = Questionnaire.objects.get_or_create(name="规模测试问卷", subject="cadre")
    version = questionnaire.versions.first() or QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, questions=QUESTION
    )
    counties = Area.objects.subtree_of(root).filter(level=Level.COUNTY)
    have = set(Campaign.objects.filter(questionnaire=version).values_list("area_id", flat=True))
    fresh = []
    for county in counties:
        if county.pk in have:
            continue
        campaign = Campaign(
            name=f"{year}年度{county.name}结对干部满意度测评",
            period_start=timezone.datetime(year, 1, 1).date(),
            period_end=timezone.datetime(year, 12, 31).date(),
            questionnaire=version,
            status=CampaignStatus.OPEN,
            opened_at=timezone.now(),
        )
        campaign.place_in(county)
        fresh.append(campaign)
    Campaign.objects.bulk_create(fresh, batch_size=500)
    response, household, pairing = (
        Response._meta.db_table,
        Household._meta.db_table,
        Pairing._meta.db_table,
    )
    campaign, answer = Campaign._meta.db_table, ResponseAnswer._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {response} (campaign_id, channel, household_id, grassroots, cadre_id,
                                    paper_number, created_at, area_id, area_path, county_id,
                                    township_id)
            SELECT c.id, 'paper', p.household_id, (p.id %% 5 <> 0), p.cadre_id,
                   CAST(p.id AS VARCHAR(30)), %s,
                   h.area_id, h.area_path, h.county_id, h.township_id
              FROM {pairing} p
              JOIN {household} h ON h.id = p.household_id
              JOIN {campaign} c ON c.area_id = h.county_id AND c.questionnaire_id = %s
             WHERE p.end_date IS NULL
               AND NOT EXISTS (SELECT 1 FROM {response} r
                                WHERE r.campaign_id = c.id AND r.household_id = p.household_id
                                  AND r.cadre_id = p.cadre_id)
            """,
            [now, version.pk],
        )
        responses = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {answer} (response_id, question, value, text)
            SELECT r.id, 'q1',
                   CASE WHEN r.cadre_id %% 97 = 0 AND r.id %% 5 < 2 THEN 'dissatisfied'
                        WHEN r.id %% 17 = 0 THEN 'dissatisfied'
                        WHEN r.id %% 11 = 0 THEN 'unknown'
                        WHEN r.id %% 4 = 0 THEN 'fairly'
                        ELSE 'satisfied' END,
                   ''
              FROM {response} r
              JOIN {campaign} c ON c.id = r.campaign_id AND c.questionnaire_id = %s
             WHERE NOT EXISTS (SELECT 1 FROM {answer} a WHERE a.response_id = r.id)
            """,
            [version.pk],
        )
        answers = cursor.rowcount
    audit.record(
        actor=None,
        actor_name="system:seed_scale",
        action="evaluation.seeded_at_scale",
        data={"campaigns": len(fresh), "responses": responses, "answers": answers},
    )
    return {"campaigns": len(fresh), "responses": responses, "answers": answers}
