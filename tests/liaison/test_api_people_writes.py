"""People API writes through the services: 400 naming the field, 409 for duplicates, scope."""

import re
from datetime import date

import pytest
from django.conf import settings

from foundation import crypto
from foundation.models import AuditEvent
from liaison.models import (
    Household,
    Visit,
)
from tests.liaison.api_world import pks
from tests.liaison.factories import id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 6, 15)
FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
FULL_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


# --- Writes through the services -------------------------------------------------------------


def test_a_bad_id_number_is_400_naming_the_field_in_chinese(as_clerk_a, areas):
    response = as_clerk_a.post(
        "/api/v1/households/",
        {"area": areas["va"].pk, "head_name": "孙立", "id_number": "530802195803170019"},
        format="json",
    )
    assert response.status_code == 400
    assert "校验码" in response.json()["id_number"][0]
    assert not Household.objects.filter(head_name="孙立").exists()


def test_the_language_cookie_switches_messages_to_english(as_clerk_a, areas):
    payload = {"area": areas["va"].pk, "head_name": "孙立", "id_number": "530802195803170019"}
    # The house rule: the language follows the explicit choice (cookie), not Accept-Language.
    response = as_clerk_a.post(
        "/api/v1/households/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "校验码" in response.json()["id_number"][0]
    as_clerk_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = as_clerk_a.post("/api/v1/households/", payload, format="json")
    assert response.status_code == 400
    assert "check character" in response.json()["id_number"][0]


def test_a_household_outside_a_village_is_400_on_area(as_clerk_a, areas):
    response = as_clerk_a.post(
        "/api/v1/households/",
        {"area": areas["ta"].pk, "head_name": "孙立", "id_number": id_number()},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["area"]


def test_a_duplicate_id_number_is_409_with_the_existing_household(as_clerk_a, people, areas):
    number = crypto.decrypt(people["plain"].id_number_encrypted)
    response = as_clerk_a.post(
        "/api/v1/households/",
        {"area": areas["va"].pk, "head_name": "赵普", "id_number": number},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["existing"] == people["plain"].pk
    assert "已登记" in response.json()["id_number"][0]


def test_a_duplicate_from_another_township_does_not_leak_the_household(as_clerk_a, people, areas):
    number = crypto.decrypt(people["sibling"].id_number_encrypted)
    response = as_clerk_a.post(
        "/api/v1/households/",
        {"area": areas["va"].pk, "head_name": "钱邻", "id_number": number},
        format="json",
    )
    assert response.status_code == 409
    assert "existing" not in response.json() and "钱邻" not in response.content.decode()


def test_pair_a_household_then_end_the_pairing(as_clerk_a, people):
    payload = {
        "cadre": people["village_cadre"].pk,
        "household": people["plain"].pk,
        "kind": "counterpart",
    }
    created = as_clerk_a.post("/api/v1/pairings/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["start_date"] == TODAY.isoformat()
    again = as_clerk_a.post("/api/v1/pairings/", payload, format="json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    pk = created.json()["id"]
    ended = as_clerk_a.post(f"/api/v1/pairings/{pk}/end/", {}, format="json")
    assert ended.status_code == 200 and ended.json()["end_date"] == TODAY.isoformat()
    twice = as_clerk_a.post(f"/api/v1/pairings/{pk}/end/", {}, format="json")
    assert twice.status_code == 400 and "non_field_errors" in twice.json()
    assert AuditEvent.objects.filter(action="pairing.ended", object_id=str(pk)).count() == 1


def test_ending_a_pairing_before_it_started_is_400_on_end_date(as_clerk_a, people):
    response = as_clerk_a.post(
        f"/api/v1/pairings/{people['pairing'].pk}/end/", {"end_date": "2025-12-31"}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["end_date"]


def test_record_a_visit_with_households_and_matters(as_clerk_a, people):
    response = as_clerk_a.post(
        "/api/v1/visits/",
        {
            "cadre": people["cadre"].pk,
            "visited_on": "2026-06-14",
            "kind": "home",
            "households": [people["low"].pk, people["plain"].pk],
            "q_difficulties": "看病远",
            "matters": [
                {"household": people["low"].pk, "kind": "difficulty", "description": "医保报销慢"},
                {
                    "kind": "suggestion",
                    "description": "修路",
                    "solved_on_spot": True,
                    "resolution": "已转交交通站",
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    visit = Visit.objects.get(pk=response.json()["id"])
    assert visit.entered_by.username == "clerk_a" and visit.q_difficulties == "看病远"
    assert set(visit.households.values_list("pk", flat=True)) == pks(people["low"], people["plain"])
    assert visit.matters.count() == 2 and len(response.json()["matters"]) == 2
    assert AuditEvent.objects.filter(action="visit.recorded", object_id=str(visit.pk)).exists()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"visited_on": "2026-06-16"}, "visited_on"),
        ({"matters": [{"household": "poor", "kind": "difficulty", "description": "x"}]}, "matters"),
        (
            {"matters": [{"kind": "difficulty", "description": "x", "solved_on_spot": True}]},
            "matters",
        ),
    ],
)
def test_a_visit_breaking_a_rule_is_400_naming_the_field(as_clerk_a, people, change, field):
    payload = {
        "cadre": people["cadre"].pk,
        "visited_on": "2026-06-14",
        "kind": "home",
        "households": [people["low"].pk],
        **change,
    }
    for matter in payload.get("matters", []):
        if matter.get("household") == "poor":
            matter["household"] = people["poor"].pk
    response = as_clerk_a.post("/api/v1/visits/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Visit.objects.count() == 3


def test_a_household_named_twice_is_visited_once(as_clerk_a, people):
    """The fuzzer's [1, 1] was a 500 (IntegrityError on the visit's household rows)."""
    response = as_clerk_a.post(
        "/api/v1/visits/",
        {
            "cadre": people["cadre"].pk,
            "visited_on": "2026-06-14",
            "kind": "home",
            "households": [people["low"].pk, people["low"].pk],
        },
        format="json",
    )
    assert response.status_code == 201
    assert [h["id"] for h in response.json()["households"]] == [people["low"].pk]


@pytest.mark.parametrize("value", ["1e30", "-1e30", "9223372036854775808", "1.5", "abc", "0"])
@pytest.mark.parametrize(
    "url,name",
    [
        ("/api/v1/grievances/", "owner"),
        ("/api/v1/grievances/", "handler"),
        ("/api/v1/pairings/", "cadre"),
        ("/api/v1/pairings/", "household"),
        ("/api/v1/visits/", "cadre"),
        ("/api/v1/visits/", "household"),
        ("/api/v1/households/", "area"),
        ("/api/v1/areas/", "parent"),
    ],
)
def test_an_id_filter_out_of_range_is_a_400_naming_it(as_clerk_a, people, url, name, value):
    response = as_clerk_a.get(url, {name: value})
    assert response.status_code == 400 and name in response.json()


def test_a_visit_to_a_sibling_household_is_refused(as_clerk_a, people):
    response = as_clerk_a.post(
        "/api/v1/visits/",
        {
            "cadre": people["cadre"].pk,
            "visited_on": "2026-06-14",
            "kind": "home",
            "households": [people["sibling"].pk],
        },
        format="json",
    )
    assert response.status_code == 400 and "households" in response.json()
