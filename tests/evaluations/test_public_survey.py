"""The survey on the contact card's QR page (issue 11, 3a): no log-in, Chinese, nothing
personal, one answer per household and cadre (a second replaces the first until the
campaign closes), rate-limited, refused clearly outside the campaign."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from evaluations import services
from evaluations.models import Response, ResponseAnswer
from evaluations.selectors import results_by_cadre
from foundation.models import AuditEvent
from liaison.cards import household_token
from liaison.models import PairingKind
from liaison.services import pair_household
from tests.liaison.factories import make_cadre, make_household

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"code": "q1", "text": "您对结对干部的工作满意吗？", "kind": "scale"},
    {"code": "q2", "text": "意见和建议", "kind": "text"},
]


@pytest.fixture
def world(areas, county_leader):
    cadre = make_cadre(areas["ta"], name="刘强")
    household = make_household(areas["ga"], name="王大明", phone="13912345678")
    pair_household(actor=None, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL)
    version = services.create_questionnaire(
        actor=county_leader, name="结对干部满意度", subject="cadre", questions=QUESTIONS
    )
    campaign = services.create_campaign(
        actor=county_leader,
        area=areas["ta"],
        name="2026年度测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
    )
    services.open_campaign(actor=county_leader, campaign=campaign)
    token = household_token(household.pk)
    return {"cadre": cadre, "household": household, "campaign": campaign, "token": token}


def _answer(client, world, value, text=""):
    return client.post(
        reverse("survey_answer", args=[world["token"]]),
        {"form": f"{world['campaign'].pk}-c{world['cadre'].pk}", "q1": value, "q2": text},
    )


def test_the_card_page_shows_the_survey_without_anything_personal(world):
    client = Client()
    page = client.get(reverse("card_public", args=[world["token"]])).content.decode()
    assert 'data-testid="survey"' in page and "2026年度测评" in page and "满意" in page
    assert "王大明" not in page and "13912345678" not in page
    assert "将在本页面开展" not in page  # no promise of what does not exist


def test_an_answer_is_recorded_and_a_second_one_replaces_it(world, county_leader):
    client = Client()
    thanks = _answer(client, world, "dissatisfied", "路灯坏了")
    assert thanks.status_code == 200 and 'data-testid="survey-thanks"' in thanks.content.decode()
    again = _answer(client, world, "satisfied")
    assert again.status_code == 200
    assert Response.objects.count() == 1
    assert ResponseAnswer.objects.get(question="q1").value == "satisfied"
    (result,) = results_by_cadre(county_leader, world["campaign"])
    assert (result.answers, result.satisfied) == (1, 1)
    page = client.get(reverse("card_public", args=[world["token"]])).content.decode()
    assert 'data-testid="answered"' in page
    # The change log says an answer came in, never whose.
    events = AuditEvent.objects.filter(action="evaluation.qr_answer")
    assert events.count() == 2 and all("household" not in e.data for e in events)


def test_an_unanswered_question_keeps_the_page_with_a_message(world):
    response = _answer(Client(), world, "")
    assert response.status_code == 400 and "请回答每一道题" in response.content.decode()
    assert not Response.objects.exists()


def test_a_closed_campaign_a_forged_token_and_an_unpaired_cadre_are_refused(
    world, county_leader, areas
):
    client = Client()
    stranger = make_cadre(areas["ta"], name="张三")
    response = client.post(
        reverse("survey_answer", args=[world["token"]]),
        {"form": f"{world['campaign'].pk}-c{stranger.pk}", "q1": "satisfied"},
    )
    assert response.status_code == 409 and "结对" in response.content.decode()
    forged = client.post(
        reverse("survey_answer", args=[world["token"] + "x"]),
        {"form": f"{world['campaign'].pk}-c{world['cadre'].pk}", "q1": "satisfied"},
    )
    assert forged.status_code == 404 and "页面不存在" in forged.content.decode()
    services.close_campaign(actor=county_leader, campaign=world["campaign"])
    closed = _answer(client, world, "satisfied")
    assert closed.status_code == 409 and "已结束" in closed.content.decode()
    assert not Response.objects.exists()


def test_a_household_outside_the_campaign_sees_no_survey(world, areas):
    outside = make_household(areas["vb"], name="钱邻")
    pair_household(actor=None, cadre=world["cadre"], household=outside, kind=PairingKind.RELATIVES)
    page = Client().get(reverse("card_public", args=[household_token(outside.pk)]))
    assert 'data-testid="survey"' not in page.content.decode()


def test_flooding_from_one_address_is_rate_limited(world, settings):
    settings.LIAISON_SURVEY_RATE_PER_IP = "3/60"
    client = Client()
    codes = [_answer(client, world, "satisfied").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert Response.objects.count() == 1


def test_a_household_grades_its_village_leading_body_when_the_campaign_does(world, areas):
    campaign = world["campaign"]
    campaign.covers_leading_bodies = True
    campaign.save(update_fields=["covers_leading_bodies"])
    client = Client()
    page = client.get(reverse("card_public", args=[world["token"]])).content.decode()
    assert "甲村领导班子" in page
    answer = client.post(
        reverse("survey_answer", args=[world["token"]]),
        {"form": f"{campaign.pk}-b{areas['va'].pk}", "q1": "fairly"},
    )
    assert answer.status_code == 200
    assert Response.objects.get(subject_area=areas["va"]).cadre is None
    other = client.post(
        reverse("survey_answer", args=[world["token"]]),
        {"form": f"{campaign.pk}-b{areas['vb'].pk}", "q1": "fairly"},
    )
    assert other.status_code == 409  # not the household's own village
