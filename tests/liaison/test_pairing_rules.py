"""Pairing rules per cadre: at least N poor households, the "123" pattern, per area policy."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from foundation.models import AuditEvent
from liaison.models import Cadre, HouseholdCategory, PairingKind
from liaison.pairing_rules import breaches_of, cadres_breaking_rules
from liaison.services import end_pairing, pair_household
from responsibility_areas.models import PairingPolicy
from responsibility_areas.services import AreaError, remove_pairing_policy, set_pairing_policy
from tests.liaison.factories import make_cadre, make_household

pytestmark = pytest.mark.django_db

POOR = [HouseholdCategory.POOR]
LOW = [HouseholdCategory.SUBSISTENCE]
TODAY = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False), translation.override("en"):
        yield


def _pair(cadre, *households):
    return [
        pair_household(actor=None, cadre=cadre, household=h, kind=PairingKind.TERRITORIAL)
        for h in households
    ]


@pytest.fixture
def world(areas):
    """思茅区 asks for 2 poor households per cadre; 甲村 (and its 一组) for "123" and 1 poor."""
    set_pairing_policy(actor=None, area=areas["ca"], require_123=False, min_poor_per_cadre=2)
    set_pairing_policy(actor=None, area=areas["va"], require_123=True, min_poor_per_cadre=1)
    va, ga = areas["va"], areas["ga"]
    h = {
        "p1": make_household(va, name="党贫", party_member=True, categories=POOR),
        "p2": make_household(va, name="党二", party_member=True),
        "o1": make_household(va, name="群保", categories=LOW),
        "o2": make_household(ga, name="群二"),
        "o3": make_household(ga, name="群三"),
        "o4": make_household(ga, name="群贫", categories=POOR),
        "o5": make_household(ga, name="群五", categories=POOR),
    }
    complete = make_cadre(va, name="甲全")
    _pair(complete, h["p1"], h["p2"], h["o1"], h["o2"], h["o3"])
    short = make_cadre(va, name="甲缺")
    _pair(short, h["p1"], h["o1"], h["o2"])
    nobody = make_cadre(ga, name="零户")
    one_poor = make_cadre(areas["ta"], name="镇一")
    _pair(one_poor, h["p1"])
    (ended,) = _pair(one_poor, h["o4"])
    end_pairing(actor=None, pairing=ended, end_date=TODAY)
    two_poor = make_cadre(areas["ta"], name="镇二")
    _pair(two_poor, h["o4"], h["o5"])
    sibling = make_cadre(areas["tb"], name="乙邻")
    return {
        "h": h,
        "complete": complete,
        "short": short,
        "nobody": nobody,
        "one_poor": one_poor,
        "two_poor": two_poor,
        "sibling": sibling,
    }


def _figures(cadre):
    return {
        k: getattr(cadre, k)
        for k in (
            "paired",
            "poor",
            "party",
            "ordinary",
            "party_hardship",
            "ordinary_hardship",
            "require_123",
            "min_poor",
        )
    }


def test_cadres_breaking_rules_under_the_nearest_policy(superuser, areas, world):
    rows = {c.name: c for c in cadres_breaking_rules(superuser, areas["ta"])}
    assert list(rows) == ["镇一", "甲缺", "零户"]
    assert _figures(rows["镇一"]) == {
        "paired": 1,
        "poor": 1,
        "party": 1,
        "ordinary": 0,
        "party_hardship": 1,
        "ordinary_hardship": 0,
        "require_123": False,
        "min_poor": 2,
    }
    assert _figures(rows["甲缺"]) == {
        "paired": 3,
        "poor": 1,
        "party": 1,
        "ordinary": 2,
        "party_hardship": 1,
        "ordinary_hardship": 1,
        "require_123": True,
        "min_poor": 1,
    }
    assert _figures(rows["零户"]) == {
        "paired": 0,
        "poor": 0,
        "party": 0,
        "ordinary": 0,
        "party_hardship": 0,
        "ordinary_hardship": 0,
        "require_123": True,
        "min_poor": 1,
    }


def test_county_check_includes_the_sibling_township(superuser, areas, world):
    names = [c.name for c in cadres_breaking_rules(superuser, areas["ca"])]
    assert names == ["镇一", "甲缺", "零户", "乙邻"]
    assert [c.name for c in cadres_breaking_rules(superuser, areas["tb"])] == ["乙邻"]


def test_breaches_name_what_is_missing(world):
    assert breaches_of(world["complete"]) == []
    assert breaches_of(world["two_poor"]) == []
    assert breaches_of(world["one_poor"]) == ["1 poor households paired, at least 2 required"]
    assert breaches_of(world["short"]) == [
        '"123" pattern not met: party-member households 1/2, ordinary households 2/3'
    ]
    assert breaches_of(world["nobody"]) == [
        "0 poor households paired, at least 1 required",
        '"123" pattern not met: party-member households 0/2, ordinary households 0/3, '
        "party-member households in hardship 0/1, ordinary households in hardship 0/1",
    ]


def test_without_any_policy_one_poor_household_is_required(superuser, areas):
    cadre = make_cadre(areas["ta"], name="无策")
    assert breaches_of(cadre) == ["0 poor households paired, at least 1 required"]
    _pair(cadre, make_household(areas["va"], name="贫户", categories=POOR))
    assert breaches_of(cadre) == []
    assert list(cadres_breaking_rules(superuser, areas["ta"])) == []


def test_zero_minimum_switches_the_poor_rule_off(areas):
    set_pairing_policy(actor=None, area=areas["ta"], require_123=False, min_poor_per_cadre=0)
    assert breaches_of(make_cadre(areas["va"], name="无贫")) == []


def test_policy_service_is_audited_idempotent_and_scoped(areas, city_admin, clerk_a):
    policy = set_pairing_policy(
        actor=city_admin, area=areas["ta"], require_123=True, min_poor_per_cadre=2
    )
    event = AuditEvent.objects.get(action="pairing_policy.created")
    assert (event.actor, event.area_path, event.data["min_poor_per_cadre"]) == (
        city_admin,
        areas["ta"].path,
        2,
    )
    set_pairing_policy(actor=city_admin, area=areas["ta"], require_123=True, min_poor_per_cadre=2)
    assert AuditEvent.objects.filter(action__startswith="pairing_policy").count() == 1
    set_pairing_policy(actor=city_admin, area=areas["ta"], require_123=False, min_poor_per_cadre=2)
    assert AuditEvent.objects.get(action="pairing_policy.changed").data["before"]["require_123"]
    with pytest.raises(AreaError) as exc:
        set_pairing_policy(actor=clerk_a, area=areas["ta"], require_123=False, min_poor_per_cadre=1)
    assert exc.value.code == "out_of_scope"
    with pytest.raises(AreaError) as exc:
        set_pairing_policy(
            actor=city_admin, area=areas["ta"], require_123=False, min_poor_per_cadre=11
        )
    assert (exc.value.code, exc.value.field) == ("invalid", "min_poor_per_cadre")
    remove_pairing_policy(actor=city_admin, policy=policy)
    assert not PairingPolicy.objects.exists()
    assert AuditEvent.objects.filter(action="pairing_policy.removed").exists()


def test_nearest_policy_governs(areas):
    assert PairingPolicy.objects.governing(areas["ga"]).min_poor_per_cadre == 1
    set_pairing_policy(actor=None, area=areas["c"], require_123=False, min_poor_per_cadre=2)
    set_pairing_policy(actor=None, area=areas["va"], require_123=True, min_poor_per_cadre=3)
    assert PairingPolicy.objects.governing(areas["ga"]).min_poor_per_cadre == 3
    assert PairingPolicy.objects.governing(areas["vb"]).min_poor_per_cadre == 2


def test_admin_saves_the_policy_through_the_service(client, superuser, areas):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:responsibility_areas_pairingpolicy_add"),
        {"area": areas["tb"].pk, "require_123": "on", "min_poor_per_cadre": 2},
    )
    assert response.status_code == 302
    assert PairingPolicy.objects.get(area=areas["tb"]).require_123
    assert AuditEvent.objects.filter(action="pairing_policy.created", actor=superuser).exists()


def test_coverage_page_lists_cadres_breaking_rules(client, clerk_a, world):
    client.force_login(clerk_a)
    page = client.get(reverse("coverage")).content.decode()
    table = page.split('data-testid="rule-breakers"')[1].split("</table>")[0]
    assert "镇一" in table and "甲缺" in table and "零户" in table
    assert "甲全" not in table and "镇二" not in table and "乙邻" not in table


def test_sibling_coverage_page_does_not_list_our_cadres(client, clerk_b_sibling, world):
    client.force_login(clerk_b_sibling)
    page = client.get(reverse("coverage")).content.decode()
    table = page.split('data-testid="rule-breakers"')[1].split("</table>")[0]
    assert "乙邻" in table and "镇一" not in table and "甲缺" not in table


def test_cadre_page_warns_about_broken_rules(client, clerk_a, world):
    client.force_login(clerk_a)
    page = client.get(reverse("cadre_detail", args=[world["short"].pk])).content.decode()
    assert 'data-testid="pairing-rule-warning"' in page
    ok_page = client.get(reverse("cadre_detail", args=[world["complete"].pk])).content.decode()
    assert 'data-testid="pairing-rule-warning"' not in ok_page


def test_the_check_is_one_query(superuser, areas, world, django_assert_num_queries):
    with django_assert_num_queries(2):  # the policies bearing on the area, then the cadres
        assert len(list(cadres_breaking_rules(superuser, areas["ca"]))) == 4
    assert Cadre.objects.count() == 6
