"""The household's secret ballot (issue 21, 1): a contact card is not a ballot; the
inspection team issues one code per household and campaign; an answer is never shown
again, to anyone; it is replaced only under the same code; only offered subjects count."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from evaluations import services
from evaluations.models import AccountabilityCase, BallotCode, Response, ResponseAnswer
from evaluations.selectors import results_by_cadre
from foundation.models import AuditEvent
from liaison.cards import household_token
from liaison.models import PairingKind
from liaison.services import pair_household
from responsibility_areas.models import Role
from responsibility_areas.services import grant_membership
from tests.liaison.factories import make_cadre, make_household

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"code": "q1", "text": "您对结对干部的工作满意吗？", "kind": "scale"},
    {"code": "q2", "text": "意见和建议", "kind": "text"},
]


@pytest.fixture
def world(areas, county_leader, supervisor):
    cadre = make_cadre(areas["ta"], name="刘强")
    household = make_household(areas["ga"], name="王大明", phone="13912345678")
    pair_household(actor=None, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL)
    version = services.create_questionnaire(
        actor=None, name="结对干部满意度", subject="cadre", questions=QUESTIONS
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
    ((_, code),) = services.issue_ballot_codes(
        actor=supervisor, campaign=campaign, village=areas["va"]
    )
    token = household_token(household.pk)
    return {
        "cadre": cadre,
        "household": household,
        "campaign": campaign,
        "token": token,
        "code": code,
    }


def _answer(client, world, value, text="", code=None, form=None):
    return client.post(
        reverse("ballot"),
        {
            "code": code or world["code"],
            "form": form or f"c{world['cadre'].pk}",
            "q1": value,
            "q2": text,
        },
    )


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_card_page_points_to_the_ballot_and_offers_no_vote(world):
    page = Client().get(reverse("card_public", args=[world["token"]])).content.decode()
    assert 'data-testid="survey"' in page and "2026年度测评" in page
    assert 'data-testid="survey-form"' not in page and 'name="q1"' not in page
    assert "王大明" not in page and "13912345678" not in page


def test_a_card_token_is_no_ballot(world):
    """Finding: the cadre printed the cards and voted "满意" for his households."""
    client = Client()
    old_route = client.post(
        f"/h/{world['token']}/survey/", {"form": f"{world['campaign'].pk}-c{world['cadre'].pk}"}
    )
    assert old_route.status_code == 404
    as_code = _answer(client, world, "satisfied", code=world["token"])
    assert as_code.status_code == 400 and "无效" in as_code.content.decode()
    assert not Response.objects.exists()


def test_an_answer_is_recorded_replaced_only_by_its_code_and_never_shown_again(
    world, county_leader
):
    client = Client()
    first = _answer(client, world, "dissatisfied", "刘强从不来，电话也不接")
    assert first.status_code == 200 and 'data-testid="survey-thanks"' in first.content.decode()
    again = _answer(client, world, "satisfied")
    # A first answer and a replacement get the very same reply (no receipt to demand).
    assert _without_csrf(first.content.decode()) == _without_csrf(again.content.decode())
    assert Response.objects.count() == 1
    assert ResponseAnswer.objects.get(question="q1").value == "satisfied"
    (result,) = results_by_cadre(county_leader, world["campaign"])
    assert (result.answers, result.satisfied) == (1, 1)
    _answer(client, world, "dissatisfied", "刘强从不来，电话也不接")
    # Opening the ballot again shows blank forms: no choice, no remark.
    forms = client.post(reverse("ballot"), {"code": world["code"]}).content.decode()
    assert 'data-testid="survey-form"' in forms
    assert "checked" not in forms and "刘强从不来" not in forms
    card = Client().get(reverse("card_public", args=[world["token"]])).content.decode()
    assert "刘强从不来" not in card and "checked" not in card
    events = AuditEvent.objects.filter(action="evaluation.qr_answer")
    assert events.count() == 3 and all("household" not in e.data for e in events)


def test_a_code_is_typed_loosely_and_voided_when_the_slips_are_printed_again(
    world, supervisor, areas
):
    client = Client()
    loose = world["code"].lower()
    typed = f"{loose[:5]} - {loose[5:]}"
    assert _answer(client, world, "fairly", code=typed).status_code == 200
    ((_, new_code),) = services.issue_ballot_codes(
        actor=supervisor, campaign=world["campaign"], village=areas["va"]
    )
    assert _answer(client, world, "satisfied").status_code == 400  # the old slip is void
    assert _answer(client, world, "satisfied", code=new_code).status_code == 200
    assert BallotCode.objects.count() == 1
    assert world["code"] not in str(BallotCode.objects.values_list("digest", flat=True)[0])


def test_an_unanswered_question_keeps_the_page_with_a_message(world):
    response = _answer(Client(), world, "")
    assert response.status_code == 400 and "请回答每一道题" in response.content.decode()
    assert not Response.objects.exists()


def test_subjects_the_campaign_does_not_offer_are_refused_and_open_no_case(
    world, county_leader, areas
):
    """Finding: grades for the province, city and county leading bodies were accepted and
    closing the campaign opened cases against them."""
    campaign = world["campaign"]
    campaign.covers_leading_bodies = True
    campaign.save(update_fields=["covers_leading_bodies"])
    client = Client()
    forms = client.post(reverse("ballot"), {"code": world["code"]}).content.decode()
    assert "甲村领导班子" in forms and "思茅镇领导班子" not in forms
    assert _answer(client, world, "fairly", form=f"b{areas['va'].pk}").status_code == 200
    stranger = make_cadre(areas["ta"], name="张三")
    for form in [
        f"b{areas['p'].pk}",
        f"b{areas['c'].pk}",
        f"b{areas['ca'].pk}",
        f"b{areas['ta'].pk}",
        f"b{areas['vb'].pk}",
        f"c{stranger.pk}",
        "x1",
        "b",
    ]:
        refused = _answer(client, world, "dissatisfied", form=form)
        assert refused.status_code == 409, form
    assert Response.objects.count() == 1
    services.close_campaign(actor=county_leader, campaign=campaign)
    assert (
        not AccountabilityCase.objects.exclude(subject_area=areas["va"])
        .exclude(subject_area__isnull=True)
        .exists()
    )


def test_a_closed_campaign_refuses_its_codes(world, county_leader):
    services.close_campaign(actor=county_leader, campaign=world["campaign"])
    closed = _answer(Client(), world, "satisfied")
    assert closed.status_code == 400
    assert not Response.objects.exists()


def test_only_the_inspection_team_prints_codes_and_never_for_its_own_households(
    world, areas, clerk_a
):
    url = reverse("evaluations:ballots", args=[world["campaign"].pk])
    clerk = Client()
    clerk.force_login(clerk_a)
    assert clerk.get(url).status_code == 403
    # A supervisor who is also a cadre paired with a household of the village is refused.
    paired = get_user_model().objects.create_user("paired_supervisor")
    grant_membership(
        actor=None,
        actor_name="test",
        user=paired,
        area=areas["ca"],
        role=Role.SUPERVISOR,
        start_date=date(2020, 1, 1),
    )
    cadre = make_cadre(areas["ta"], name="赵六", user=paired)
    pair_household(
        actor=None, cadre=cadre, household=world["household"], kind=PairingKind.RELATIVES
    )
    client = Client()
    client.force_login(paired)
    refused = client.post(url, {"village": areas["va"].pk})
    assert refused.status_code == 400 and "结对" in refused.content.decode()


def test_the_slips_show_each_code_once(world, supervisor, areas):
    client = Client()
    client.force_login(supervisor)
    url = reverse("evaluations:ballots", args=[world["campaign"].pk])
    listing = client.get(url).content.decode()
    assert "甲村" in listing
    slips = client.post(url, {"village": areas["va"].pk}).content.decode()
    codes = re.findall(r'data-testid="slip-code">([0-9A-Z-]+)<', slips)
    assert len(codes) == 1 and "王大明" in slips and "13912345678" not in slips
    assert codes[0] not in client.get(url).content.decode()
    assert _answer(Client(), world, "satisfied", code=codes[0]).status_code == 200


def test_flooding_from_one_address_is_rate_limited(world, settings):
    settings.LIAISON_SURVEY_RATE_PER_IP = "3/60"
    client = Client()
    codes = [_answer(client, world, "satisfied").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert Response.objects.count() == 1


def test_a_village_that_is_no_number_is_a_clear_refusal(world, supervisor):
    client = Client()
    client.force_login(supervisor)
    url = reverse("evaluations:ballots", args=[world["campaign"].pk])
    for village in ("abc", "", "-1", "9999999"):
        answer = client.post(url, {"village": village})
        assert answer.status_code == 400 and "请选择" in answer.content.decode(), village
