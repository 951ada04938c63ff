"""Queries compiled once (foundation.prepared) give exactly the queryset's rows, for every
later call's own values; what they cannot map takes the ORM path; the token and the
memberships they read are never stale."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from foundation.apitokens import issue_token
from foundation.models import ApiToken
from foundation.prepared import _REFUSED, Prepared, PreparedPage
from liaison.api_people import HOUSEHOLD_PAGE, listed_households
from liaison.models import Household, HouseholdCategory
from responsibility_areas.models import Membership
from responsibility_areas.scoping import MEMBERSHIP_AREAS
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db


def _fields(household):
    return (
        household.pk,
        household.head_name,
        household.area_name,
        household.paired,
        household.last_visit,
        household.category_list,
        household.is_must_visit,
    )


def _page(level, ids, today, start=0, stop=51, lookup=None, position=None):
    return dict(
        level=level, ids=ids, today=today, ordering=("id",), lookup=lookup, start=start, stop=stop
    ) | ({"position": position} if lookup else {})


@pytest.fixture
def households(areas):
    made = [
        make_household(areas["ga"], name="王一", categories=[HouseholdCategory.POOR]),
        make_household(areas["va"], name="李二"),
        make_household(areas["vb"], name="赵三", categories=[HouseholdCategory.SUBSISTENCE]),
        make_household(areas["va"], name="钱四"),
        make_household(areas["vc"], name="孙五"),  # another county
    ]
    return made


def _orm(level, ids, today, **page):
    query = listed_households(
        Household.objects.filter(**{f"{level}_id__in": ids}), today
    )  # by hand
    query = query.order_by("id")
    if page.get("lookup"):
        query = query.filter(**{page["lookup"]: page["position"]})
    return list(query[page.get("start", 0) : page.get("stop", 51)])


def test_each_call_binds_its_own_values(areas, households):
    township_a, township_b = areas["ta"].pk, areas["tb"].pk
    first = HOUSEHOLD_PAGE(
        {"level": "township", "ordering": ("id",), "lookup": None, "start": 0, "stop": 51},
        ids=[township_a],
        today=date(2026, 6, 15),
    )
    second = HOUSEHOLD_PAGE(  # same shape, other values: the compiled SQL, new parameters
        {"level": "township", "ordering": ("id",), "lookup": None, "start": 0, "stop": 51},
        ids=[township_b],
        today=date(2026, 6, 16),
    )
    assert [_fields(h) for h in first] == [
        _fields(h) for h in _orm("township", [township_a], date(2026, 6, 15))
    ]
    assert [_fields(h) for h in second] == [
        _fields(h) for h in _orm("township", [township_b], date(2026, 6, 16))
    ]
    assert {h.pk for h in first}.isdisjoint({h.pk for h in second}) and first and second


def test_a_position_and_a_window_page_like_the_queryset(areas, households):
    county = [areas["ca"].pk]
    everything = _orm("county", county, date(2026, 6, 15))
    after = everything[0].pk
    shape = {
        "level": "county",
        "ordering": ("id",),
        "lookup": "id__gt",
        "start": 0,
        "stop": 2,
    }
    got = HOUSEHOLD_PAGE(shape, ids=county, today=date(2026, 6, 15), position=after)
    assert [h.pk for h in got] == [h.pk for h in everything[1:3]]
    assert (
        HOUSEHOLD_PAGE(shape, ids=county, today=date(2026, 6, 15), position=everything[-1].pk) == []
    )


def test_the_plan_is_compiled_once_per_shape(areas, households):
    counted = Prepared(lambda *, ids: Household.objects.filter(id__in=ids).order_by("id"))
    counted(ids=[households[0].pk])
    counted(ids=[households[1].pk])
    counted(ids=[households[0].pk, households[1].pk])
    assert len(counted._plans) == 2  # one IN of one id, one of two
    assert [h.pk for h in counted(ids=[households[2].pk, households[3].pk])] == [
        households[2].pk,
        households[3].pk,
    ]


def test_values_lists_come_back_as_tuples(areas, county_leader):
    rows = MEMBERSHIP_AREAS(user_id=county_leader.pk, on=date(2026, 6, 15))
    assert rows == [(areas["ca"].path, areas["ca"].pk)]
    assert MEMBERSHIP_AREAS(user_id=county_leader.pk, on=date(2019, 1, 1)) == []


def test_what_it_cannot_map_takes_the_orm_path(areas, households):
    by_prefix = Prepared(lambda *, path: Household.objects.filter(area_path__startswith=path))
    assert {h.pk for h in by_prefix(path=areas["ta"].path)} == {
        h.pk for h in Household.objects.filter(area_path__startswith=areas["ta"].path)
    }
    assert list(by_prefix._plans.values()) == [_REFUSED]  # "p%" is not the marker
    joined = Prepared(lambda *, pk: Household.objects.select_related("area").filter(pk=pk))
    assert joined(pk=households[0].pk)[0].area.name == households[0].area.name
    assert list(joined._plans.values()) == [_REFUSED]


def test_a_value_of_another_type_is_another_shape(areas, households):
    after = Prepared(lambda *, position: Household.objects.filter(id__gt=position).order_by("id"))
    expected = [h.pk for h in households[2:]]
    assert [h.pk for h in after(position=households[1].pk)] == expected
    assert [h.pk for h in after(position=str(households[1].pk))] == expected
    assert len(after._plans) == 2  # an int and a text position are bound apart


def test_past_the_cap_new_shapes_take_the_orm_path(areas, households, monkeypatch):
    monkeypatch.setattr("foundation.prepared.MAX_SHAPES", 1)
    capped = Prepared(lambda *, ids: Household.objects.filter(id__in=ids).order_by("id"))
    capped(ids=[households[0].pk])
    both = capped(ids=[households[0].pk, households[1].pk])
    assert [h.pk for h in both] == [households[0].pk, households[1].pk]
    assert len(capped._plans) == 1


def test_an_empty_in_list_is_answered_by_the_orm(areas, households):
    empty = Prepared(lambda *, ids: Household.objects.filter(id__in=ids))
    assert empty(ids=[]) == []


def test_a_page_answers_cursor_pagination_like_the_queryset(areas, households):
    page = PreparedPage(
        HOUSEHOLD_PAGE, {"level": "county"}, ids=[areas["ca"].pk], today=date(2026, 6, 15)
    )
    ordered = page.order_by("id")
    everything = _orm("county", [areas["ca"].pk], date(2026, 6, 15))
    assert [h.pk for h in ordered[0:51]] == [h.pk for h in everything]
    after = ordered.filter(id__gt=str(everything[1].pk))  # positions arrive as text
    assert [h.pk for h in after[0:51]] == [h.pk for h in everything[2:]]


# --- Through the API: the same pages, and nothing stale ------------------------------------


def _token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(actor=None, user=user)[0]}")
    return client


def _all_pages(client, url):
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        seen += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    return seen


def test_the_prepared_list_pages_like_the_filtered_one(areas, households, county_leader):
    client = _token_client(county_leader)
    prepared = _all_pages(client, "/api/v1/households/?page_size=1")
    # A filter takes the ORM path; an always-true one gives the same rows.
    orm = _all_pages(client, "/api/v1/households/?page_size=1&q=")
    assert prepared == orm == sorted(h.pk for h in households[:4])
    first = client.get("/api/v1/households/?page_size=2").json()
    back = client.get(client.get(first["next"]).json()["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


def test_a_list_request_runs_three_queries(areas, households, county_leader):
    client = _token_client(county_leader)
    client.get("/api/v1/households/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/households/").status_code == 200
    assert len(queries) == 3  # the token's user, the memberships, the page


def test_a_deleted_token_or_inactive_user_is_refused_at_once(areas, households, county_leader):
    client = _token_client(county_leader)
    assert client.get("/api/v1/households/").status_code == 200
    get_user_model().objects.filter(pk=county_leader.pk).update(is_active=False)
    refused = client.get("/api/v1/households/")
    # 403, not 401: DRF's answer when the first authenticator (the session's) sends no
    # WWW-Authenticate; the message is DRF's own.
    assert refused.status_code == 403 and refused.json()["detail"] == "用户未激活或者已删除。"
    get_user_model().objects.filter(pk=county_leader.pk).update(is_active=True)
    assert client.get("/api/v1/households/").status_code == 200
    ApiToken.objects.filter(user=county_leader).delete()
    assert client.get("/api/v1/households/").status_code == 403
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert wrong.get("/api/v1/households/").json()["detail"] == "认证令牌无效。"


def test_an_ended_membership_ends_sight_at_once(areas, households, county_leader):
    client = _token_client(county_leader)
    assert client.get("/api/v1/households/").json()["results"]
    Membership.objects.filter(user=county_leader).update(end_date=date(2020, 1, 2))
    assert client.get("/api/v1/households/").json()["results"] == []
