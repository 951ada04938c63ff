"""REST API for cadres, households, pairings and visits: scoped, filtered, masked, audited."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token

from liaison.lib import crypto
from liaison.lib.models import AuditEvent
from liaison.models import (
    Household,
    HouseholdCategory,
    MatterKind,
    Pairing,
    PairingKind,
    Rank,
    Visit,
    VisitKind,
)
from liaison.services import end_pairing, pair_household, record_visit
from responsibility_areas.models import Role
from responsibility_areas.services import grant_membership
from tests.conftest import PASSWORD
from tests.liaison.factories import id_number, make_cadre, make_household, phone

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
FULL_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(
        datetime(2026, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


@pytest.fixture
def people(areas, clerk_a, clerk_b_sibling):
    cadre = make_cadre(areas["ta"], name="刘强", rank=Rank.TOWNSHIP)
    village_cadre = make_cadre(areas["va"], name="周村", rank=Rank.VILLAGE)
    sibling_cadre = make_cadre(areas["tb"], name="吴邻", rank=Rank.TOWNSHIP)
    poor = make_household(areas["ga"], name="王贫", categories=[HouseholdCategory.POOR])
    low = make_household(areas["va"], name="李保", categories=[HouseholdCategory.SUBSISTENCE])
    plain = make_household(areas["va"], name="赵普")
    sibling = make_household(areas["vb"], name="钱邻", categories=[HouseholdCategory.POOR])
    pairing = pair_household(
        actor=None,
        cadre=cadre,
        household=poor,
        kind=PairingKind.TERRITORIAL,
        start_date=date(2026, 1, 1),
    )
    ended = pair_household(
        actor=None,
        cadre=village_cadre,
        household=low,
        kind=PairingKind.RELATIVES,
        start_date=date(2025, 1, 1),
    )
    end_pairing(actor=None, pairing=ended, end_date=date(2026, 3, 1))
    sibling_pairing = pair_household(
        actor=None, cadre=sibling_cadre, household=sibling, kind=PairingKind.TERRITORIAL
    )
    home = record_visit(
        actor=clerk_a,
        cadre=cadre,
        visited_on=date(2026, 3, 10),
        kind=VisitKind.HOME,
        households=[poor, plain],
        matters=[{"household": poor, "kind": MatterKind.DIFFICULTY, "description": "屋顶漏雨"}],
    )
    call = record_visit(
        actor=clerk_a,
        cadre=village_cadre,
        visited_on=date(2026, 5, 20),
        kind=VisitKind.PHONE,
        households=[low],
    )
    sibling_visit = record_visit(
        actor=clerk_b_sibling,
        cadre=sibling_cadre,
        visited_on=date(2026, 4, 1),
        kind=VisitKind.HOME,
        households=[sibling],
    )
    return {
        "cadre": cadre,
        "village_cadre": village_cadre,
        "sibling_cadre": sibling_cadre,
        "poor": poor,
        "low": low,
        "plain": plain,
        "sibling": sibling,
        "pairing": pairing,
        "ended": ended,
        "sibling_pairing": sibling_pairing,
        "home": home,
        "call": call,
        "sibling_visit": sibling_visit,
    }


@pytest.fixture
def as_clerk_a(api_client, clerk_a):
    api_client.force_authenticate(clerk_a)
    return api_client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def pks(*objects) -> set[int]:
    return {o.pk for o in objects}


# --- Lists, filters, retrieve ----------------------------------------------------------------


def test_household_list_is_scoped_and_shows_pairing_and_last_visit(as_clerk_a, people):
    response = as_clerk_a.get("/api/v1/households/")
    assert ids(response) == pks(people["poor"], people["low"], people["plain"])
    poor = next(r for r in response.json()["results"] if r["id"] == people["poor"].pk)
    assert poor["id_number_masked"] == people["poor"].id_number_masked
    assert poor["categories"] == ["poor"] and poor["is_must_visit"] is True
    assert poor["paired"] is True and poor["last_visit"] == "2026-03-10"
    assert poor["area_name"] == "一组"


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"area": "va"}, ["poor", "low", "plain"]),
        ({"area": "ga"}, ["poor"]),
        ({"q": "LB"}, ["low"]),
        ({"q": "赵"}, ["plain"]),
        ({"category": "subsistence"}, ["low"]),
        ({"must_visit": "true"}, ["poor", "low"]),
        ({"must_visit": "false"}, ["plain"]),
        ({"paired": "true"}, ["poor"]),
        ({"paired": "false"}, ["low", "plain"]),
    ],
)
def test_household_filters(as_clerk_a, people, areas, query, expected):
    if "area" in query:
        query = {"area": areas[query["area"]].pk}
    assert ids(as_clerk_a.get("/api/v1/households/", query)) == {people[k].pk for k in expected}


def test_household_search_by_last_digits_of_the_id_number(as_clerk_a, people):
    response = as_clerk_a.get("/api/v1/households/", {"q": people["plain"].id_last4})
    assert people["plain"].pk in ids(response)


def test_an_area_outside_the_scope_filters_to_nothing(as_clerk_a, people, areas):
    for endpoint in ("cadres", "households", "pairings", "visits"):
        assert ids(as_clerk_a.get(f"/api/v1/{endpoint}/", {"area": areas["vb"].pk})) == set()


def test_household_list_pages_with_a_cursor(as_clerk_a, people):
    first = as_clerk_a.get("/api/v1/households/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = as_clerk_a.get(first["next"]).json()
    seen = {r["id"] for r in first["results"] + second["results"]}
    assert seen == pks(people["poor"], people["low"], people["plain"])


def test_cadre_list_and_filters(as_clerk_a, people, areas):
    assert ids(as_clerk_a.get("/api/v1/cadres/")) == pks(people["cadre"], people["village_cadre"])
    assert ids(as_clerk_a.get("/api/v1/cadres/", {"rank": "village"})) == pks(
        people["village_cadre"]
    )
    assert ids(as_clerk_a.get("/api/v1/cadres/", {"q": "刘"})) == pks(people["cadre"])
    assert ids(as_clerk_a.get("/api/v1/cadres/", {"area": areas["va"].pk})) == pks(
        people["village_cadre"]
    )
    detail = as_clerk_a.get(f"/api/v1/cadres/{people['cadre'].pk}/").json()
    assert detail["name"] == "刘强" and detail["rank"] == "township"
    assert detail["phone_masked"] == people["cadre"].phone[:3] + "****" + people["cadre"].phone[-4:]


def test_pairing_list_and_filters(as_clerk_a, people):
    def listed(**query):
        return ids(as_clerk_a.get("/api/v1/pairings/", query))

    assert listed() == pks(people["pairing"], people["ended"])
    assert listed(active="true") == pks(people["pairing"])
    assert listed(active="false") == pks(people["ended"])
    assert listed(cadre=people["village_cadre"].pk) == pks(people["ended"])
    assert listed(household=people["poor"].pk) == pks(people["pairing"])
    assert listed(kind="relatives") == pks(people["ended"])
    detail = as_clerk_a.get(f"/api/v1/pairings/{people['pairing'].pk}/").json()
    assert detail["cadre_name"] == "刘强" and detail["household_name"] == "王贫"
    assert detail["end_date"] is None


def test_visit_list_and_filters(as_clerk_a, people):
    def listed(**query):
        return ids(as_clerk_a.get("/api/v1/visits/", query))

    assert listed() == pks(people["home"], people["call"])
    assert listed(cadre=people["cadre"].pk) == pks(people["home"])
    assert listed(household=people["plain"].pk) == pks(people["home"])
    assert listed(kind="phone") == pks(people["call"])
    assert listed(visited_on_after="2026-05-01") == pks(people["call"])
    assert listed(visited_on_before="2026-03-10") == pks(people["home"])
    assert listed(visited_on_after="2026-03-11", visited_on_before="2026-05-19") == set()
    detail = as_clerk_a.get(f"/api/v1/visits/{people['home'].pk}/").json()
    assert {h["head_name"] for h in detail["households"]} == {"王贫", "赵普"}
    assert detail["matters"][0]["description"] == "屋顶漏雨"
    assert detail["entered_by"] == "clerk_a" and detail["kind"] == "home"


def test_visits_list_newest_first(as_clerk_a, people):
    rows = as_clerk_a.get("/api/v1/visits/").json()["results"]
    assert [r["id"] for r in rows] == [people["call"].pk, people["home"].pk]


def test_list_queries_do_not_grow_with_the_rows(
    as_clerk_a, clerk_a, people, django_assert_max_num_queries
):
    for _ in range(3):
        record_visit(
            actor=clerk_a,
            cadre=people["cadre"],
            visited_on=date(2026, 6, 1),
            kind=VisitKind.HOME,
            households=[people["low"], people["plain"]],
            matters=[{"kind": MatterKind.SUGGESTION, "description": "修水渠"}],
        )
    for endpoint in ("cadres", "households", "pairings", "visits"):
        with django_assert_max_num_queries(8):
            assert as_clerk_a.get(f"/api/v1/{endpoint}/").status_code == 200


def test_a_cadre_with_only_the_cadre_role_sees_only_their_own_visits(api_client, people, areas):
    user = get_user_model().objects.create_user("cadre_liu", password=PASSWORD)
    people["cadre"].user = user
    people["cadre"].save(update_fields=["user"])
    grant_membership(
        actor=None,
        actor_name="test",
        user=user,
        area=areas["ta"],
        role=Role.CADRE,
        start_date=date(2020, 1, 1),
    )
    api_client.force_authenticate(user)
    assert ids(api_client.get("/api/v1/visits/")) == pks(people["home"])
    assert api_client.get(f"/api/v1/visits/{people['call'].pk}/").status_code == 404


def test_a_cadre_only_user_records_visits_for_themselves_and_no_one_else(api_client, people, areas):
    """Issue 9 §2: the visit was saved for the other cadre and the answer was a 500."""
    user = get_user_model().objects.create_user("cadre_liu", password=PASSWORD)
    people["cadre"].user = user
    people["cadre"].save(update_fields=["user"])
    grant_membership(
        actor=None,
        actor_name="test",
        user=user,
        area=areas["ta"],
        role=Role.CADRE,
        start_date=date(2020, 1, 1),
    )
    api_client.force_authenticate(user)
    before = Visit.objects.count()
    payload = {"visited_on": "2026-06-14", "kind": "home", "households": [people["low"].pk]}
    other = api_client.post(
        "/api/v1/visits/", {**payload, "cadre": people["village_cadre"].pk}, format="json"
    )
    assert other.status_code == 403 and "只能" in other.json()["detail"]
    assert Visit.objects.count() == before
    own = api_client.post(
        "/api/v1/visits/", {**payload, "cadre": people["cadre"].pk}, format="json"
    )
    assert own.status_code == 201 and Visit.objects.count() == before + 1


# --- Scope: the sibling township -------------------------------------------------------------


def test_sibling_township_cannot_see_clerk_a_people(api_client, clerk_b_sibling, people):
    api_client.force_authenticate(clerk_b_sibling)
    mine = {
        "cadres": [people["cadre"], people["village_cadre"]],
        "households": [people["poor"], people["low"], people["plain"]],
        "pairings": [people["pairing"], people["ended"]],
        "visits": [people["home"], people["call"]],
    }
    theirs = {
        "cadres": people["sibling_cadre"],
        "households": people["sibling"],
        "pairings": people["sibling_pairing"],
        "visits": people["sibling_visit"],
    }
    for endpoint, objects in mine.items():
        assert ids(api_client.get(f"/api/v1/{endpoint}/")) == {theirs[endpoint].pk}
        for obj in objects:
            assert api_client.get(f"/api/v1/{endpoint}/{obj.pk}/").status_code == 404


def test_sibling_township_cannot_act_on_clerk_a_objects(api_client, clerk_b_sibling, people):
    api_client.force_authenticate(clerk_b_sibling)
    assert api_client.post(f"/api/v1/households/{people['poor'].pk}/reveal/").status_code == 404
    assert api_client.post(f"/api/v1/pairings/{people['pairing'].pk}/end/").status_code == 404
    response = api_client.post(
        "/api/v1/pairings/",
        {
            "cadre": people["sibling_cadre"].pk,
            "household": people["poor"].pk,
            "kind": "territorial",
        },
    )
    assert response.status_code == 400 and "household" in response.json()
    assert Pairing.objects.get(pk=people["pairing"].pk).end_date is None
    assert not AuditEvent.objects.filter(action="household.identity_revealed").exists()


# --- Masking and the audited reveal ----------------------------------------------------------


def test_no_response_carries_a_full_id_number_or_phone(api_client, county_leader, people):
    api_client.force_authenticate(county_leader)
    urls = ["/api/v1/cadres/", "/api/v1/households/", "/api/v1/pairings/", "/api/v1/visits/"]
    urls += [f"/api/v1/households/{people[k].pk}/" for k in ("poor", "low", "plain", "sibling")]
    urls += [
        f"/api/v1/cadres/{people['cadre'].pk}/",
        f"/api/v1/visits/{people['home'].pk}/",
        f"/api/v1/pairings/{people['pairing'].pk}/",
    ]
    for url in urls:
        response = api_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert FULL_ID.findall(body) == [] and FULL_PHONE.findall(body) == [], url
        assert "encrypted" not in body and "hash" not in body, url
    households = api_client.get("/api/v1/households/").json()["results"]
    assert len(households) == 4
    assert all("*" in h["id_number_masked"] and "*" in h["phone_masked"] for h in households)


def test_a_new_household_is_answered_masked(as_clerk_a, areas):
    number, mobile = id_number(), phone()
    response = as_clerk_a.post(
        "/api/v1/households/",
        {
            "area": areas["va"].pk,
            "head_name": "孙立",
            "id_number": number,
            "phone": mobile,
            "members": 3,
            "categories": ["poor"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.content.decode()
    assert number not in body and mobile not in body
    assert response.json()["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert response.json()["categories"] == ["poor"] and response.json()["paired"] is False


def test_reveal_is_refused_without_the_permission(as_clerk_a, people):
    response = as_clerk_a.post(f"/api/v1/households/{people['poor'].pk}/reveal/")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="household.identity_revealed").exists()


def test_reveal_with_the_permission_answers_full_numbers_and_is_audited(
    as_clerk_a, clerk_a, people
):
    clerk_a.user_permissions.add(Permission.objects.get(codename="view_full_pii"))
    clerk_a = get_user_model().objects.get(pk=clerk_a.pk)
    as_clerk_a.force_authenticate(clerk_a)
    household = people["poor"]
    response = as_clerk_a.post(f"/api/v1/households/{household.pk}/reveal/")
    assert response.status_code == 200
    assert response.json() == {
        "id_number": crypto.decrypt(household.id_number_encrypted),
        "phone": crypto.decrypt(household.phone_encrypted),
    }
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="household.identity_revealed")
    assert event.actor == clerk_a and event.object_id == str(household.pk)


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


# --- Authentication and documentation --------------------------------------------------------


def test_token_authentication_works(api_client, clerk_a, people):
    token = Token.objects.create(user=clerk_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert ids(api_client.get("/api/v1/households/")) == pks(
        people["poor"], people["low"], people["plain"]
    )


def test_token_obtained_from_the_login_endpoint_works(api_client, clerk_a, people):
    response = api_client.post("/api/v1/auth/token/", {"username": "clerk_a", "password": PASSWORD})
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get(f"/api/v1/cadres/{people['cadre'].pk}/").status_code == 200


def test_anonymous_callers_are_refused(api_client, people):
    for endpoint in ("cadres", "households", "pairings", "visits"):
        assert api_client.get(f"/api/v1/{endpoint}/").status_code in (401, 403)


def test_the_schema_documents_the_people_endpoints(as_clerk_a):
    schema = as_clerk_a.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/cadres/",
        "/api/v1/households/{id}/reveal/",
        "/api/v1/pairings/{id}/end/",
        "/api/v1/visits/",
    ):
        assert path in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/visits/"]["get"]["parameters"]}
    assert {"area", "cadre", "household", "kind", "visited_on_after", "visited_on_before"} <= params
