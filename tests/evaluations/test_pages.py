"""Campaign pages: a county leader creates, opens and closes a campaign and resolves a case;
a clerk enters a paper batch (an out-of-range digit names row and question, keeps the batch,
writes nothing); the sibling township sees none of it."""

from datetime import date

import pytest
from django.urls import reverse

from evaluations import services
from evaluations.models import AccountabilityCase, Campaign, CaseStatus, Response
from tests.liaison.factories import make_cadre, make_household, sheet

pytestmark = pytest.mark.django_db

QUESTIONS = [{"code": "q1", "text": "您对结对干部的工作满意吗？", "kind": "scale"}]


@pytest.fixture
def version(county_leader):
    return services.create_questionnaire(
        actor=None, name="结对干部满意度", subject="cadre", questions=QUESTIONS
    )


def _batch(households, cadre, digits, surveyor=None):
    data = {"surveyor": surveyor.pk} if surveyor else {}
    for n, (h, d) in enumerate(zip(households, digits, strict=True), start=1):
        data.update(
            {
                f"r{n}-household": h.pk,
                f"r{n}-cadre": cadre.pk,
                f"r{n}-q1": d,
                f"r{n}-grassroots": "1",
                f"r{n}-number": sheet(),
            }
        )
    return data


def test_a_leader_runs_a_campaign_and_resolves_a_case(
    client, county_leader, clerk_a, version, areas
):
    client.force_login(county_leader)
    response = client.post(
        reverse("evaluations:campaigns"),
        {
            "name": "2026年度测评",
            "area": areas["ta"].pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "questionnaire": version.pk,
            "covers_cadres": "on",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    client.post(reverse("evaluations:open", args=[campaign.pk]))
    cadre = make_cadre(areas["ta"], name="张差")
    households = [make_household(areas["va"], name=f"户{n}") for n in range(5)]
    client.force_login(clerk_a)
    saved = client.post(
        reverse("evaluations:paper", args=[campaign.pk]),
        _batch(households, cadre, ["3", "3", "1", "2", "1"]),
    )
    assert saved.status_code == 302 and Response.objects.count() == 5, saved.context["errors"]
    client.force_login(county_leader)
    page = client.get(reverse("evaluations:detail", args=[campaign.pk])).content.decode()
    assert "张差" in page and "40%" in page and 'data-testid="not-valid"' in page
    client.post(reverse("evaluations:close", args=[campaign.pk]))
    case = AccountabilityCase.objects.get()
    assert case.cadre == cadre
    client.post(
        reverse("evaluations:resolve", args=[case.pk]), {"action": "talk", "reason": "已谈话提醒"}
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.resolved_by == county_leader


def test_a_bad_digit_keeps_the_batch_and_names_row_and_question(client, clerk_a, version, areas):
    campaign = services.create_campaign(
        actor=None,
        area=areas["ta"],
        name="测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
    )
    services.open_campaign(actor=None, campaign=campaign)
    cadre = make_cadre(areas["ta"], name="李平")
    households = [make_household(areas["va"], name=f"户{n}") for n in range(3)]
    client.force_login(clerk_a)
    response = client.post(
        reverse("evaluations:paper", args=[campaign.pk]), _batch(households, cadre, ["1", "9", "2"])
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="paper-errors"' in html
    assert "第 2 行" in html and "q1" in html and "“9”" in html
    assert 'name="r3-q1" value="2"' in html  # the batch is kept
    assert not Response.objects.exists()


def test_the_sibling_township_sees_no_campaign_of_ours(client, clerk_b_sibling, version, areas):
    campaign = services.create_campaign(
        actor=None,
        area=areas["ta"],
        name="思茅镇测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
    )
    client.force_login(clerk_b_sibling)
    assert "思茅镇测评" not in client.get(reverse("evaluations:campaigns")).content.decode()
    assert client.get(reverse("evaluations:detail", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("evaluations:paper", args=[campaign.pk])).status_code == 404


def test_the_notice_and_the_export_publish_rates_and_no_household(
    client, county_leader, clerk_a, version, areas
):
    import io

    from openpyxl import load_workbook

    from foundation.models import AuditEvent

    campaign = services.create_campaign(
        actor=None,
        area=areas["ta"],
        name="公示测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
    )
    services.open_campaign(actor=None, campaign=campaign)
    cadre = make_cadre(areas["ta"], name='=HYPERLINK("x")')
    households = [make_household(areas["va"], name=f"王户{n}") for n in range(2)]
    client.force_login(clerk_a)
    client.post(
        reverse("evaluations:paper", args=[campaign.pk]), _batch(households, cadre, ["1", "3"])
    )
    client.force_login(county_leader)
    notice = client.get(reverse("evaluations:notice", args=[campaign.pk])).content.decode()
    assert 'data-testid="result-notice"' in notice and "50%" in notice and "王户" not in notice
    response = client.get(reverse("evaluations:export", args=[campaign.pk]))
    book = load_workbook(io.BytesIO(response.content))
    cells = [c.value for row in book.worksheets[0].iter_rows() for c in row if c.value is not None]
    assert '\'=HYPERLINK("x")' in cells and not any("王户" in str(c) for c in cells)
    assert AuditEvent.objects.filter(action="evaluation.results_exported").count() == 1
    assert "一测一考：得分与排名" in book.sheetnames
    # Rates are numbers shown as percentages (they sum and sort), not the text "50.0%";
    # the validity cell says so when the campaign meets every rule (issue 23 §8).
    rates = [c for row in book.worksheets[0].iter_rows() for c in row if c.number_format == "0.0%"]
    assert rates and all(isinstance(c.value, float) for c in rates)
    assert not any(isinstance(c, str) and c.endswith("%") for c in cells)


def test_a_leader_confirms_the_commendation_list_once_and_it_is_audited(
    client, county_leader, clerk_a, version, areas
):
    from evaluations.models import Commendation
    from foundation.models import AuditEvent

    campaign = services.create_campaign(
        actor=None,
        area=areas["ta"],
        name="表彰测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
    )
    services.open_campaign(actor=None, campaign=campaign)
    good, fair = make_cadre(areas["ta"], name="优秀"), make_cadre(areas["ta"], name="一般")
    households = [make_household(areas["va"], name=f"户{n}") for n in range(4)]
    client.force_login(clerk_a)
    client.post(
        reverse("evaluations:paper", args=[campaign.pk]), _batch(households[:2], good, ["1", "1"])
    )
    client.post(
        reverse("evaluations:paper", args=[campaign.pk]), _batch(households[2:], fair, ["1", "3"])
    )
    services.close_campaign(actor=None, campaign=campaign)
    client.force_login(county_leader)
    client.post(reverse("evaluations:commend", args=[campaign.pk]), {"top": "1"})
    assert [c.cadre.name for c in Commendation.objects.all()] == ["优秀"]
    assert Commendation.objects.get().confirmed_by == county_leader
    assert AuditEvent.objects.filter(action="evaluation.commendations_confirmed").count() == 1
    again = client.post(
        reverse("evaluations:commend", args=[campaign.pk]), {"top": "5"}, follow=True
    )
    assert "已确认" in again.content.decode() and Commendation.objects.count() == 1
    page = client.get(reverse("evaluations:detail", args=[campaign.pk])).content.decode()
    assert 'data-testid="commendations"' in page and "优秀" in page


def test_paper_answers_can_grade_a_leading_body(client, clerk_a, county_leader, version, areas):
    from evaluations.selectors import results_by_leading_body

    campaign = services.create_campaign(
        actor=None,
        area=areas["ta"],
        name="班子测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
        covers_leading_bodies=True,
    )
    services.open_campaign(actor=None, campaign=campaign)
    households = [make_household(areas["ga"], name=f"户{n}") for n in range(3)]
    client.force_login(clerk_a)
    data = {}
    for n, (h, d) in enumerate(zip(households, ["1", "3", "3"], strict=True), start=1):
        data.update(
            {
                f"r{n}-household": h.pk,
                f"r{n}-cadre": "village",
                f"r{n}-q1": d,
                f"r{n}-number": sheet(),
            }
        )
    answer = client.post(reverse("evaluations:paper", args=[campaign.pk]), data)
    assert answer.status_code == 302, answer.context["errors"]
    (body,) = results_by_leading_body(county_leader, campaign)
    assert body.subject_id == areas["va"].pk and body.over_threshold  # 2 of 3
    cases = services.close_campaign(actor=None, campaign=campaign)
    assert [c.subject_area for c in cases] == [areas["va"]]


def test_the_province_writes_a_questionnaire_and_a_used_one_gets_a_new_version(
    client, county_leader, province_evaluator, areas
):
    """Questionnaires serve every campaign: a county or township leader may not edit them
    (finding: any township leader edited the province-wide questionnaires)."""
    from evaluations.models import Questionnaire

    client.force_login(county_leader)
    assert client.get(reverse("evaluations:questionnaires")).status_code == 403
    client.force_login(province_evaluator)
    assert Questionnaire.objects.filter(name__contains="标准问卷").count() == 2  # installed
    client.post(
        reverse("evaluations:questionnaires"),
        {"name": "村干部测评", "subject": "cadre", "questions": "工作满意吗？\n? 建议"},
    )
    questionnaire = Questionnaire.objects.get(name="村干部测评")
    version = questionnaire.current()
    assert [q["kind"] for q in version.questions] == ["scale", "text"]
    services.create_campaign(
        actor=None,
        area=areas["ta"],
        name="用过的",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
    )
    client.post(
        reverse("evaluations:questionnaire", args=[questionnaire.pk]),
        {"name": "村干部测评", "subject": "cadre", "questions": "工作满意吗？\n作风满意吗？"},
    )
    assert questionnaire.current().number == 2 and len(version.questions) == 2
    version.refresh_from_db()
    assert version.questions[1]["kind"] == "text"


def test_the_surveyor_is_recorded_and_must_be_someone_of_the_area(
    client, clerk_a, clerk_b_sibling, county_leader, version, areas
):
    from evaluations.models import Response

    campaign = services.create_campaign(
        actor=None,
        area=areas["ta"],
        name="走访测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
    )
    services.open_campaign(actor=None, campaign=campaign)
    cadre = make_cadre(areas["ta"], name="李平")
    households = [make_household(areas["va"], name=f"户{n}") for n in range(2)]
    client.force_login(clerk_a)
    url = reverse("evaluations:paper", args=[campaign.pk])
    refused = client.post(url, _batch(households[:1], cadre, ["1"], surveyor=clerk_b_sibling))
    assert refused.status_code == 200 and not Response.objects.exists()
    client.post(url, _batch(households[1:], cadre, ["1"]))
    assert (
        Response.objects.get().surveyor == clerk_a and Response.objects.get().entered_by == clerk_a
    )
