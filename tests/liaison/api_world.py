"""The people API's test world: two townships' cadres, households, pairings and visits,
on a frozen day. Fixtures (registered in tests/liaison/conftest.py) and helpers."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from liaison.models import HouseholdCategory, MatterKind, PairingKind, Rank, VisitKind
from liaison.services import end_pairing, pair_household, record_visit
from tests.liaison.factories import make_cadre, make_household


@pytest.fixture
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
