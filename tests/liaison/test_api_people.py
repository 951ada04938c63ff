"""REST API for cadres, households, pairings and visits: scoped, filtered, masked, audited."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from foundation import crypto
from foundation.apitokens import issue_token
from foundation.models import AuditEvent
from liaison.models import (
    MatterKind,
    Pairing,
    Visit,
    VisitKind,
)
from liaison.services import record_visit
from responsibility_areas.models import Role
from responsibility_areas.services import grant_membership
from tests.conftest import PASSWORD
from tests.liaison.api_world import ids, pks
from tests.liaison.factories import id_number, phone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 6, 15)
FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
FULL_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


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


# --- Authentication and documentation --------------------------------------------------------


def test_token_authentication_works(api_client, clerk_a, people):
    token, _expires = issue_token(actor=None, user=clerk_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
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
