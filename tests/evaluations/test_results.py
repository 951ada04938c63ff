"""Satisfaction results on hand-made data (issue 11): rates, validity, grassroots share, the
one-third edge, questionnaire versions, paper batches (all or nothing, row and question
named), no cadre surveying their own households, accountability cases."""

from datetime import date

import pytest

from evaluations import services
from evaluations.models import AccountabilityCase, CaseAction, CaseStatus, Response
from evaluations.selectors import campaign_validity, results_by_cadre
from evaluations.services import EvaluationError, PaperRow
from liaison.models import PairingKind
from liaison.services import pair_household
from tests.liaison.factories import make_cadre, make_household, sheet

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"code": "q1", "text": "您对结对干部的工作满意吗？", "kind": "scale"},
    {"code": "q2", "text": "意见和建议", "kind": "text"},
]


@pytest.fixture
def campaign(areas, county_leader):
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
    return services.open_campaign(actor=county_leader, campaign=campaign)


@pytest.fixture
def cadre(areas):
    return make_cadre(areas["ta"], name="刘强")


def _answers(campaign, clerk, cadre, areas, digits, grassroots=True):
    households = [make_household(areas["va"], name=f"户{n}") for n in range(len(digits))]
    rows = [
        PaperRow(
            household=h,
            cadre=cadre,
            digits={"q1": d, "q2": ""},
            grassroots=grassroots,
            number=sheet(),
        )
        for h, d in zip(households, digits, strict=True)
    ]
    return services.record_paper_batch(actor=clerk, campaign=campaign, surveyor=clerk, rows=rows)


def test_rates_count_fairly_satisfied_as_satisfied_and_ignore_dont_know(
    campaign, cadre, clerk_a, county_leader, areas
):
    _answers(campaign, clerk_a, cadre, areas, ["1", "2", "3", "4", "1"])
    (result,) = results_by_cadre(county_leader, campaign)
    assert (result.answers, result.satisfied, result.fairly, result.dissatisfied) == (4, 2, 1, 1)
    assert result.satisfaction == 0.75 and result.dissatisfaction == 0.25
    assert result.respondents == 4 and result.under_target  # 75% < 90%


@pytest.mark.parametrize(
    "digits,over",
    [
        (["3", "1", "1"], False),  # exactly one third: not over
        (["3", "3", "1", "1", "1", "1"], False),  # 2 of 6
        (["3", "3", "1", "1", "1"], True),  # 2 of 5: over
        (["3", "1", "1", "4", "4"], False),  # don't-knows are not answers: 1 of 3
    ],
)
def test_the_one_third_edge(campaign, cadre, clerk_a, county_leader, areas, digits, over):
    _answers(campaign, clerk_a, cadre, areas, digits)
    (result,) = results_by_cadre(county_leader, campaign)
    assert result.over_threshold is over


def test_closing_opens_a_case_only_past_one_third_and_a_leader_resolves_it(
    campaign, clerk_a, county_leader, areas
):
    bad, fair = make_cadre(areas["ta"], name="张差"), make_cadre(areas["ta"], name="李平")
    _answers(campaign, clerk_a, bad, areas, ["3", "3", "1", "1", "1"])  # 2/5: over
    _answers(campaign, clerk_a, fair, areas, ["3", "1", "1"])  # exactly 1/3
    cases = services.close_campaign(actor=county_leader, campaign=campaign)
    assert [c.cadre.name for c in cases] == ["张差"]
    case = AccountabilityCase.objects.get()
    assert (case.answers, case.dissatisfied, case.status) == (5, 2, CaseStatus.OPEN)
    with pytest.raises(EvaluationError) as err:
        services.resolve_case(actor=county_leader, case=case, action=CaseAction.NONE)
    assert err.value.field == "reason"
    services.resolve_case(actor=county_leader, case=case, action=CaseAction.TALK, reason="已谈话")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.action == CaseAction.TALK


def test_validity_says_which_rule_and_by_how_much(campaign, cadre, clerk_a, areas):
    _answers(campaign, clerk_a, cadre, areas, ["1"] * 40, grassroots=True)
    _answers(campaign, clerk_a, cadre, areas, ["1"] * 50, grassroots=False)
    validity = campaign_validity(campaign)  # a township campaign: 100 participants, 50%
    assert (validity.participants, validity.grassroots) == (90, 40)
    assert not validity.valid and len(validity.problems) == 2
    assert "10" in validity.problems[0]  # 10 short
    assert "5" in validity.problems[1]  # 45 of 90 needed: 5 more
    _answers(campaign, clerk_a, cadre, areas, ["1"] * 10, grassroots=True)
    validity = campaign_validity(campaign)
    assert validity.valid and validity.participants == 100 and validity.grassroots_percent == 50


def test_a_paper_batch_with_a_bad_code_names_row_and_question_and_writes_nothing(
    campaign, cadre, clerk_a, areas
):
    households = [make_household(areas["va"], name=f"甲{n}") for n in range(3)]
    rows = [
        PaperRow(household=h, cadre=cadre, digits={"q1": d}, number=sheet())
        for h, d in zip(households, ["1", "7", "2"], strict=True)
    ]
    with pytest.raises(EvaluationError) as err:
        services.record_paper_batch(actor=clerk_a, campaign=campaign, surveyor=clerk_a, rows=rows)
    assert [(row, question) for row, question, _ in err.value.errors] == [(2, "q1")]
    assert not Response.objects.exists()


def test_a_cadre_never_surveys_their_own_paired_households(campaign, clerk_a, areas):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("cadre_liu")
    own = make_cadre(areas["ta"], name="刘强", user=user)
    household = make_household(areas["va"], name="王贫")
    pair_household(actor=None, cadre=own, household=household, kind=PairingKind.TERRITORIAL)
    other = make_cadre(areas["ta"], name="张三")
    row = PaperRow(household=household, cadre=other, digits={"q1": "1"}, number=sheet())
    with pytest.raises(EvaluationError) as err:
        services.record_paper_batch(actor=clerk_a, campaign=campaign, surveyor=user, rows=[row])
    assert "结对" in err.value.errors[0][2] or "paired" in err.value.errors[0][2]
    assert not Response.objects.exists()


def test_editing_a_questionnaire_in_use_makes_a_new_version(campaign, county_leader):
    questionnaire = campaign.questionnaire.questionnaire
    new = services.edit_questionnaire(
        actor=None,
        questionnaire=questionnaire,
        questions=[{"code": "q1", "text": "您对干部满意吗？", "kind": "scale"}],
    )
    assert new.number == 2 and campaign.questionnaire.number == 1
    campaign.refresh_from_db()
    assert campaign.questionnaire.questions[0]["text"] == QUESTIONS[0]["text"]


def test_answers_to_a_closed_campaign_are_refused(campaign, cadre, clerk_a, county_leader, areas):
    services.close_campaign(actor=county_leader, campaign=campaign)
    with pytest.raises(EvaluationError) as err:
        _answers(campaign, clerk_a, cadre, areas, ["1"])
    assert err.value.code == "closed"


def test_a_sibling_clerk_sees_no_results_of_our_households(
    campaign, cadre, clerk_a, clerk_b_sibling, areas
):
    _answers(campaign, clerk_a, cadre, areas, ["3", "1"])
    assert results_by_cadre(clerk_b_sibling, campaign) == []


def test_the_feedback_on_a_cadres_matters_counts_in_their_results(
    campaign, cadre, clerk_a, county_leader, areas
):
    """Issue 11 §3c: the household's feedback recorded at close-out counts for the owner."""
    from grievances import services as ledger

    household = make_household(areas["va"], name="王贫")
    matter = ledger.file_matter(
        actor=clerk_a,
        area=areas["va"],
        owner=cadre,
        applicant=household,
        description="路灯坏了",
        kind="difficulty",
        source="home_visit",
        received_on=date(2026, 3, 1),
    )
    matter = ledger.resolve(actor=county_leader, matter=matter, resolution="已修好")
    ledger.close_out(
        actor=county_leader, matter=matter, feedback="修得快", satisfaction="basically"
    )
    _answers(campaign, clerk_a, cadre, areas, ["3"])
    (result,) = results_by_cadre(county_leader, campaign)
    assert (result.answers, result.fairly, result.dissatisfied) == (2, 1, 1)


def test_answers_at_scale_come_from_every_active_pairing_and_rank(areas, superuser):
    """seed_scale --answers on a small tree: one campaign per county, one answer per pairing;
    the ranking is one GROUP BY, best satisfaction first."""
    from evaluations.models import Campaign
    from evaluations.scale import seed_answers_at_scale
    from evaluations.selectors import ranking

    cadres = [make_cadre(areas["ta"], name=n) for n in ("甲", "乙")]
    for n in range(6):
        household = make_household(areas["va"], name=f"户{n}")
        pair_household(
            actor=None, cadre=cadres[n % 2], household=household, kind=PairingKind.TERRITORIAL
        )
    counts = seed_answers_at_scale(root=areas["p"], year=2026)
    assert counts["responses"] == 6 and counts["answers"] == 6
    assert set(Campaign.objects.values_list("area__name", flat=True)) == {"思茅区", "宁洱县"}
    again = seed_answers_at_scale(root=areas["p"], year=2026)
    assert again == {"campaigns": 0, "responses": 0, "answers": 0}
    rows = ranking(superuser, Campaign.objects.all())
    rates = [r["rate"] for r in rows]
    assert rates == sorted(rates, reverse=True) and sum(r["answers"] for r in rows) <= 6
