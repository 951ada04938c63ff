"""Closed means frozen (issue 21, 4): closing a campaign stores its results; nothing
recorded later changes them, and results, cases, scores, exports and the API read the
same stored figures."""

from datetime import date

import pytest
from django.urls import reverse

from evaluations import services
from evaluations.models import AccountabilityCase, FrozenResult
from evaluations.scores import scores
from evaluations.selectors import campaign_validity, results_by_cadre
from grievances.models import Matter
from grievances.services import file_matter, record_feedback, resolve
from tests.evaluations.factories import open_campaign
from tests.liaison.factories import make_cadre, make_household, sheet

pytestmark = pytest.mark.django_db

QUESTIONS = [{"code": "q1", "text": "满意吗？", "kind": "scale"}]


@pytest.fixture
def closed(areas, county_leader, clerk_a):
    campaign = open_campaign(areas["ta"], actor=county_leader)
    cadre = make_cadre(areas["va"], name="张差")
    rows = [
        services.PaperRow(
            make_household(areas["va"], name=f"户{n}"), cadre, {"q1": d}, number=sheet()
        )
        for n, d in enumerate(["3", "3", "1"])
    ]
    services.record_paper_batch(actor=clerk_a, campaign=campaign, surveyor=clerk_a, rows=rows)
    services.close_campaign(actor=county_leader, campaign=campaign)
    campaign.refresh_from_db()
    return campaign, cadre


def test_late_feedback_and_new_cadres_change_nothing_in_a_closed_campaign(
    closed, areas, clerk_a, county_leader, api_client
):
    campaign, cadre = closed
    (before,) = results_by_cadre(county_leader, campaign)
    case = AccountabilityCase.objects.get()
    ranked = [(s.cadre_id, s.rank, s.score) for s in scores(county_leader, campaign)]
    assert (before.answers, case.answers) == (3, 3)
    # A close-out feedback recorded after the close, on a matter received in the period.
    matter = file_matter(
        actor=clerk_a,
        owner=cadre,
        applicant=make_household(areas["va"], name="晚到"),
        description="路灯不亮",
        kind="difficulty",
        source="home_visit",
        received_on=date(2026, 6, 1),
    )
    matter = resolve(actor=clerk_a, matter=matter, resolution="已修")
    record_feedback(actor=clerk_a, matter=matter, feedback="满意", satisfaction="satisfied")
    assert Matter.objects.get(pk=matter.pk).satisfaction == "satisfied"
    make_cadre(areas["va"], name="今天导入")  # a cadre imported today
    make_household(areas["va"], name="新户")
    (after,) = results_by_cadre(county_leader, campaign)
    assert (after.answers, after.satisfied, after.dissatisfied) == (3, 1, 2)
    assert [(s.cadre_id, s.rank, s.score) for s in scores(county_leader, campaign)] == ranked
    assert "今天导入" not in [s.name for s in scores(county_leader, campaign)]
    assert campaign_validity(campaign).participants == 3
    # The case, the page and the API say the same.
    case.refresh_from_db()
    assert (case.answers, case.dissatisfied) == (after.answers, after.dissatisfied)
    api_client.force_authenticate(county_leader)
    (row,) = api_client.get(f"/api/v1/campaigns/{campaign.pk}/results/").json()
    assert (row["cadre"], row["answers"], row["dissatisfied"]) == (cadre.pk, 3, 2)


def test_the_stored_rows_are_written_once_at_close(closed):
    campaign, cadre = closed
    assert campaign.frozen_at is not None and campaign.frozen_participants == 3
    assert FrozenResult.objects.filter(campaign=campaign, cadre=cadre).count() == 1
    assert services.freeze_closed_campaigns(actor=None) == 0  # nothing left to store


def test_the_results_page_reads_the_stored_figures(client, closed, county_leader, areas, clerk_a):
    campaign, cadre = closed
    FrozenResult.objects.filter(campaign=campaign, cadre=cadre).update(answers=9, dissatisfied=3)
    client.force_login(county_leader)
    page = client.get(reverse("evaluations:detail", args=[campaign.pk])).content.decode()
    assert "33%" in page or "33.3%" in page  # 3 of 9: the stored row, not the 3 answers
