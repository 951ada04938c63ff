"""The evaluation's API: scoped like the pages, resolve with the right answers."""

from datetime import date

import pytest

from evaluations import services
from evaluations.models import AccountabilityCase
from evaluations.services import PaperRow
from tests.liaison.factories import make_cadre, make_household, sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(areas, county_leader, clerk_a):
    version = services.create_questionnaire(
        actor=None,
        name="问卷",
        subject="cadre",
        questions=[{"code": "q1", "text": "满意吗？", "kind": "scale"}],
    )
    campaign = services.create_campaign(
        actor=None,
        area=areas["ta"],
        name="思茅镇测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
    )
    services.open_campaign(actor=None, campaign=campaign)
    cadre = make_cadre(areas["ta"], name="张差")
    rows = [
        PaperRow(make_household(areas["va"], name=f"户{n}"), cadre, {"q1": d}, number=sheet())
        for n, d in enumerate(["3", "3", "1"])
    ]
    services.record_paper_batch(actor=clerk_a, campaign=campaign, surveyor=clerk_a, rows=rows)
    services.close_campaign(actor=None, campaign=campaign)
    return campaign


def test_campaigns_results_and_cases_are_scoped(
    api_client, clerk_a, clerk_b_sibling, county_leader, closed
):
    api_client.force_authenticate(clerk_a)
    (row,) = api_client.get("/api/v1/campaigns/").json()["results"]
    assert row["name"] == "思茅镇测评" and row["validity"]["participants"] == 3
    assert row["validity"]["valid"] is False and row["validity"]["problems"]
    (result,) = api_client.get(f"/api/v1/campaigns/{closed.pk}/results/").json()
    assert result["cadre_name"] == "张差" and result["over_threshold"] is True
    # Cases are personnel matters: a clerk reads none (only one about themselves), the
    # leader who decides them reads them.
    assert api_client.get("/api/v1/accountability/").json()["results"] == []
    api_client.force_authenticate(county_leader)
    assert len(api_client.get("/api/v1/accountability/").json()["results"]) == 1
    api_client.force_authenticate(clerk_b_sibling)
    assert api_client.get("/api/v1/campaigns/").json()["results"] == []
    assert api_client.get(f"/api/v1/campaigns/{closed.pk}/results/").status_code == 404
    case = AccountabilityCase.objects.get()
    assert api_client.get(f"/api/v1/accountability/{case.pk}/").status_code == 404


def test_a_leader_resolves_a_case_a_clerk_may_not(api_client, clerk_a, county_leader, closed):
    case = AccountabilityCase.objects.get()
    api_client.force_authenticate(clerk_a)
    url = f"/api/v1/accountability/{case.pk}/resolve/"
    assert api_client.post(url, {"action": "talk"}).status_code == 404  # not theirs to read
    api_client.force_authenticate(county_leader)
    assert api_client.post(url, {"action": "none"}).status_code == 400  # a reason is needed
    answer = api_client.post(url, {"action": "admonish", "reason": "诫勉谈话"})
    assert answer.status_code == 200 and answer.json()["status"] == "resolved"
    assert api_client.post(url, {"action": "talk"}).status_code == 409


def test_scores_come_with_their_formula_and_are_scoped(
    api_client, clerk_a, clerk_b_sibling, closed
):
    api_client.force_authenticate(clerk_a)
    body = api_client.get("/api/v1/evaluations/", {"campaign": closed.pk}).json()
    assert "%" in body["formula"] and body["scores"][0]["name"] == "张差"
    assert api_client.get("/api/v1/evaluations/").status_code == 400
    assert api_client.get("/api/v1/evaluations/", {"campaign": "abc"}).status_code == 400
    api_client.force_authenticate(clerk_b_sibling)
    assert api_client.get("/api/v1/evaluations/", {"campaign": closed.pk}).status_code == 404


def test_the_campaign_list_counts_validity_for_the_page_at_once(
    api_client, areas, county_leader, clerk_a, closed
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluations.selectors import campaign_validity

    def listed():
        with CaptureQueriesContext(connection) as queries:
            rows = api_client.get("/api/v1/campaigns/").json()["results"]
        return rows, len(queries)

    api_client.force_authenticate(county_leader)
    listed()  # the scope is read once per user object
    _rows, queries_for_one = listed()
    second = services.create_campaign(
        actor=None,
        area=areas["tb"],
        name="南屏镇测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=closed.questionnaire,
    )
    services.open_campaign(actor=None, campaign=second)
    rows, queries_for_two = listed()
    assert queries_for_two == queries_for_one  # not four more per campaign
    by_id = {row["id"]: row["validity"] for row in rows}
    for campaign in (closed, second):
        expected = campaign_validity(campaign)
        assert by_id[campaign.pk]["participants"] == expected.participants
        assert by_id[campaign.pk]["grassroots_percent"] == round(
            expected.grassroots_percent, 1
        ) or (by_id[campaign.pk]["grassroots_percent"] == expected.grassroots_percent)
        assert by_id[campaign.pk]["problems"] == expected.problems
    assert by_id[closed.pk]["participants"] == 3 and by_id[second.pk]["participants"] == 0


def test_a_cadre_only_user_reads_only_the_case_about_themselves(api_client, areas, closed, client):
    """Finding: a cadre-only user read colleagues' accountability cases (API, page, export)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from responsibility_areas.models import Role
    from responsibility_areas.services import grant_membership

    case = AccountabilityCase.objects.get()
    users = {}
    for name in ("graded", "colleague"):
        users[name] = get_user_model().objects.create_user(name)
        grant_membership(
            actor=None,
            actor_name="test",
            user=users[name],
            area=areas["ta"],
            role=Role.CADRE,
            start_date=date(2020, 1, 1),
        )
    case.cadre.user = users["graded"]
    case.cadre.save(update_fields=["user"])
    api_client.force_authenticate(users["graded"])
    (own,) = api_client.get("/api/v1/accountability/").json()["results"]
    assert own["id"] == case.pk
    api_client.force_authenticate(users["colleague"])
    assert api_client.get("/api/v1/accountability/").json()["results"] == []
    assert api_client.get(f"/api/v1/accountability/{case.pk}/").status_code == 404
    client.force_login(users["colleague"])
    page = client.get(reverse("evaluations:detail", args=[closed.pk])).content.decode()
    assert 'data-testid="resolve-form"' not in page and "谈话提醒" not in page
    export = client.get(reverse("evaluations:export", args=[closed.pk]))
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(export.content))
    cases_sheet = next(ws for ws in book.worksheets if ws.title == "问责事项")
    assert cases_sheet.max_row <= 1  # the header only


def test_the_schema_says_the_scores_answer_is_one_object(api_client, county_leader):
    """Finding: schemathesis — /api/v1/evaluations/ answered an object, the schema said an
    array."""
    api_client.force_authenticate(county_leader)
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    body = schema["paths"]["/api/v1/evaluations/"]["get"]["responses"]["200"]["content"]
    ref = body["application/json"]["schema"]
    assert ref.get("type") != "array"
    name = ref["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][name]["properties"]) == {"formula", "scores"}
