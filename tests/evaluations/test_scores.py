"""一测一考 on hand-made data: weights, the formula, parts without a target, ranking ties."""

from datetime import date

import pytest

from evaluations import services
from evaluations.models import ScoreWeights
from evaluations.scores import formula, scores, weights_for
from evaluations.services import PaperRow
from liaison.services import add_commitment, set_commitment_status
from tests.liaison.factories import make_cadre, make_household, sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(areas):
    version = services.create_questionnaire(
        actor=None,
        name="问卷",
        subject="cadre",
        questions=[{"code": "q1", "text": "满意吗？", "kind": "scale"}],
    )
    campaign = services.create_campaign(
        actor=None,
        area=areas["ta"],
        name="测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
    )
    return services.open_campaign(actor=None, campaign=campaign)


def _grade(campaign, clerk, areas, cadre, digits):
    rows = [
        PaperRow(make_household(areas["va"], name=f"户{n}"), cadre, {"q1": d}, number=sheet())
        for n, d in enumerate(digits)
    ]
    services.record_paper_batch(actor=clerk, campaign=campaign, surveyor=clerk, rows=rows)


def test_only_the_test_counts_and_equal_scores_share_a_rank(
    campaign, clerk_a, county_leader, areas
):
    ScoreWeights.objects.create(level="township", exam_percent=0)
    a, b, c = (make_cadre(areas["ta"], name=n) for n in ("甲", "乙", "丙"))
    _grade(campaign, clerk_a, areas, a, ["1", "2"])
    _grade(campaign, clerk_a, areas, b, ["1", "1"])
    _grade(campaign, clerk_a, areas, c, ["1", "3"])
    ranked = [(s.name, s.score, s.rank) for s in scores(county_leader, campaign)]
    assert sorted(ranked) == sorted([("甲", 100.0, 1), ("乙", 100.0, 1), ("丙", 50.0, 3)])
    assert [r[2] for r in ranked] == [1, 1, 3]


def test_the_exam_counts_parts_with_a_target_capped_at_full(campaign, county_leader, areas):
    ScoreWeights.objects.create(
        level="township",
        exam_percent=100,
        contacts_points=0,
        visits_points=0,
        stay_points=0,
        matters_points=0,
        commitments_points=10,
    )
    cadre = make_cadre(areas["ta"], name="刘强")
    for n in range(2):
        add_commitment(actor=None, cadre=cadre, year=2026, content=f"承诺{n}")
    from liaison.models import Commitment

    first = Commitment.objects.filter(cadre=cadre).order_by("id").first()
    set_commitment_status(actor=None, commitment=first, status="fulfilled")
    (score,) = [s for s in scores(county_leader, campaign) if s.name == "刘强"]
    assert score.parts["commitments"] == (1, 2)
    assert score.exam == 50.0 and score.score == 50.0 and score.test is None


def test_the_formula_says_the_weights():
    weights = ScoreWeights(level="township")
    text = formula(weights)
    assert "50%" in text and "25" in text and "10" in text
    assert weights_for(type("A", (), {"level": "county"})()).exam_percent == 50


def test_a_sibling_clerk_scores_nobody_of_ours(campaign, clerk_b_sibling, areas):
    make_cadre(areas["ta"], name="刘强")
    assert scores(clerk_b_sibling, campaign) == []
