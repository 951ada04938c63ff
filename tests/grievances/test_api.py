"""/api/v1/grievances/: scoped, filtered, cursor-paginated; transitions as actions with
``version`` (stale or illegal → 409, bad input → 400 naming the field)."""

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext

from grievances.models import Matter, MatterStatus
from grievances.services import start_work
from liaison.models import MatterKind
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/grievances/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 20, 10, 0, tzinfo=SH), tick=False):
        yield


@pytest.fixture
def sibling_matter(ledger, make_matter):
    household = make_household(ledger.areas["vb"], name="钱邻")
    return make_matter(
        applicant=household, description="南屏镇的事项", received_on=date(2026, 3, 1)
    )


def numbers(response):
    return {row["number"] for row in response.json()["results"]}


def test_list_is_scoped_filtered_and_cursor_paginated(
    api_client, clerk_a, ledger, make_matter, sibling_matter
):
    late = make_matter(description="村道塌方", received_on=date(2026, 2, 1))
    working = make_matter(kind=MatterKind.SUGGESTION, received_on=date(2026, 3, 10))
    start_work(actor=None, matter=working)
    api_client.force_authenticate(clerk_a)
    everything = api_client.get(URL)
    assert everything.status_code == 200
    assert numbers(everything) == {late.number, working.number}
    assert numbers(api_client.get(URL, {"status": "in_progress"})) == {working.number}
    assert numbers(api_client.get(URL, {"kind": "suggestion"})) == {working.number}
    assert numbers(api_client.get(URL, {"overdue": "true"})) == {late.number}
    assert numbers(api_client.get(URL, {"level": "village"})) == {late.number, working.number}
    assert numbers(api_client.get(URL, {"owner": ledger.owner.pk})) == {late.number, working.number}
    assert numbers(api_client.get(URL, {"area": ledger.areas["va"].pk})) == {
        late.number,
        working.number,
    }
    assert numbers(api_client.get(URL, {"area": ledger.areas["vb"].pk})) == set()
    first = api_client.get(URL, {"page_size": 1}).json()
    assert len(first["results"]) == 1 and first["results"][0]["number"] == working.number
    assert "cursor=" in first["next"]
    second = api_client.get(first["next"]).json()
    assert [r["number"] for r in second["results"]] == [late.number]


def test_bad_filter_value_is_a_400_naming_the_field(api_client, clerk_a, ledger):
    api_client.force_authenticate(clerk_a)
    response = api_client.get(URL, {"status": "lost"})
    assert response.status_code == 400 and "status" in response.json()


def test_sibling_township_gets_404_on_retrieve_and_actions(api_client, clerk_a, sibling_matter):
    api_client.force_authenticate(clerk_a)
    assert api_client.get(f"{URL}{sibling_matter.pk}/").status_code == 404
    response = api_client.post(
        f"{URL}{sibling_matter.pk}/start-work/", {"version": 1}, format="json"
    )
    assert response.status_code == 404
    assert Matter.objects.get(pk=sibling_matter.pk).status == MatterStatus.REGISTERED


def test_retrieve_carries_the_whole_timeline_and_version(api_client, clerk_a, make_matter):
    matter = make_matter(actor=clerk_a, received_on=date(2026, 3, 10))
    start_work(actor=clerk_a, matter=matter, note="已联系")
    api_client.force_authenticate(clerk_a)
    body = api_client.get(f"{URL}{matter.pk}/").json()
    assert body["version"] == 2 and body["status"] == "in_progress"
    assert [e["action"] for e in body["events"]] == ["filed", "start_work"]
    assert body["owner_name"] == "刘强" and body["handler_name"] == "杨村"


def test_create_files_a_matter_through_the_service(api_client, clerk_a, ledger):
    api_client.force_authenticate(clerk_a)
    response = api_client.post(
        URL,
        {
            "owner": ledger.owner.pk,
            "applicant": ledger.household.pk,
            "kind": "difficulty",
            "description": "房屋漏雨",
            "source": "home_visit",
            "received_on": "2026-03-19",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "530802-2026-000001" and body["applicant_name"] == "王大"
    assert body["events"][0]["action"] == "filed"


def test_create_names_the_field_at_fault(api_client, clerk_a, ledger):
    api_client.force_authenticate(clerk_a)
    response = api_client.post(
        URL,
        {
            "owner": ledger.owner.pk,
            "kind": "difficulty",
            "description": "房屋漏雨",
            "source": "home_visit",
            "received_on": "2026-03-19",
        },
        format="json",
    )
    assert response.status_code == 400 and "area" in response.json()
    sibling_area = api_client.post(
        URL,
        {
            "owner": ledger.owner.pk,
            "applicant_name": "张三",
            "area": ledger.areas["vb"].pk,
            "kind": "difficulty",
            "description": "x",
            "source": "home_visit",
            "received_on": "2026-03-19",
        },
        format="json",
    )
    assert sibling_area.status_code == 400 and "area" in sibling_area.json()
    assert not Matter.objects.exists()


def test_resolve_action_requires_the_version_and_moves_the_matter(api_client, clerk_a, make_matter):
    matter = make_matter(received_on=date(2026, 3, 10))
    api_client.force_authenticate(clerk_a)
    missing = api_client.post(f"{URL}{matter.pk}/resolve/", {"resolution": "已修好"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()
    empty = api_client.post(
        f"{URL}{matter.pk}/resolve/", {"version": matter.version, "resolution": ""}, format="json"
    )
    assert empty.status_code == 400 and "resolution" in empty.json()
    done = api_client.post(
        f"{URL}{matter.pk}/resolve/",
        {"version": matter.version, "resolution": "已修好"},
        format="json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "resolved" and done.json()["version"] == matter.version + 1


def test_a_stale_version_is_409_and_nothing_is_overwritten(api_client, clerk_a, make_matter):
    matter = make_matter(received_on=date(2026, 3, 10))
    seen = matter.version
    start_work(actor=None, matter=matter)
    api_client.force_authenticate(clerk_a)
    response = api_client.post(
        f"{URL}{matter.pk}/resolve/", {"version": seen, "resolution": "已修好"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "stale"
    with translation.override("zh-hans"):
        expected = gettext("This matter was changed by someone else; reload it and try again.")
    assert response.json()["detail"] == expected
    matter.refresh_from_db()
    assert matter.status == MatterStatus.IN_PROGRESS and matter.resolution == ""


def test_an_illegal_transition_is_409_with_the_translated_message(api_client, clerk_a, make_matter):
    matter = make_matter(received_on=date(2026, 3, 10))
    api_client.force_authenticate(clerk_a)
    response = api_client.post(
        f"{URL}{matter.pk}/reopen/", {"version": matter.version, "reason": "不满意"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    assert matter.get_status_display() in response.json()["detail"]


def test_only_a_leader_closes_out(api_client, clerk_a, township_leader, make_matter):
    matter = make_matter(received_on=date(2026, 3, 10))
    api_client.force_authenticate(clerk_a)
    resolved = api_client.post(
        f"{URL}{matter.pk}/resolve/",
        {"version": matter.version, "resolution": "已修好"},
        format="json",
    ).json()
    payload = {"version": resolved["version"], "feedback": "满意", "satisfaction": "satisfied"}
    assert (
        api_client.post(f"{URL}{matter.pk}/close-out/", payload, format="json").status_code == 403
    )
    api_client.force_authenticate(township_leader)
    closed = api_client.post(f"{URL}{matter.pk}/close-out/", payload, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed_out"


def test_api_never_returns_a_full_id_number_or_phone(api_client, clerk_a, make_matter):
    matter = make_matter(
        received_on=date(2026, 3, 10), description="身份证530802195803170019，电话13800138000"
    )
    api_client.force_authenticate(clerk_a)
    for url in (URL, f"{URL}{matter.pk}/"):
        text = json.dumps(api_client.get(url).json(), ensure_ascii=False)
        assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", text)
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)
