"""Household and cadre pages: scoped, masked, clear errors, nothing typed lost."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from foundation.models import AuditEvent
from liaison.models import Household, HouseholdCategory, PairingKind, VisitKind
from liaison.services import add_commitment, assign_responsibility, pair_household, record_visit
from tests.liaison.factories import id_number, make_cadre, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(areas, clerk_a):
    cadre = make_cadre(areas["ta"], name="刘强")
    poor = make_household(areas["ga"], name="王贫", categories=[HouseholdCategory.POOR])
    low = make_household(areas["va"], name="李保", categories=[HouseholdCategory.SUBSISTENCE])
    plain = make_household(areas["va"], name="赵普")
    sibling = make_household(areas["vb"], name="钱邻", categories=[HouseholdCategory.POOR])
    pair_household(actor=None, cadre=cadre, household=poor, kind=PairingKind.TERRITORIAL)
    return {"cadre": cadre, "poor": poor, "low": low, "plain": plain, "sibling": sibling}


def test_household_list_is_scoped_and_masked(client, clerk_a, people):
    client.force_login(clerk_a)
    page = client.get(reverse("household_list")).content.decode()
    assert "王贫" in page and "李保" in page and "钱邻" not in page
    assert people["poor"].id_number_masked in page
    for household in (people["poor"], people["low"]):
        from foundation import crypto

        assert crypto.decrypt(household.id_number_encrypted) not in page


def test_household_search_by_initials_and_last_digits(client, clerk_a, people):
    client.force_login(clerk_a)
    by_initials = client.get(reverse("household_list"), {"q": "LB"}).content.decode()
    assert "李保" in by_initials and "王贫" not in by_initials
    by_digits = client.get(
        reverse("household_list"), {"q": people["plain"].id_last4}
    ).content.decode()
    assert "赵普" in by_digits


def test_sibling_township_household_pages_are_404(client, clerk_a, people):
    client.force_login(clerk_a)
    pk = people["sibling"].pk
    for name in ("household_detail", "household_edit"):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    assert client.post(reverse("household_reveal", args=[pk])).status_code == 404
    assert (
        client.post(
            reverse("household_pair", args=[pk]),
            {"cadre": people["cadre"].pk, "kind": "territorial"},
        ).status_code
        == 404
    )


def test_invalid_id_number_gets_a_clear_message_and_keeps_what_was_typed(client, clerk_a, areas):
    client.force_login(clerk_a)
    typed = {
        "area": areas["va"].pk,
        "head_name": "孙悟空",
        "id_number": "530802195803170019",
        "phone": "138 0013 8000",
        "members": 4,
        "address": "甲村12号",
        "categories": ["poor"],
    }
    response = client.post(reverse("household_new"), typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "校验码" in page or "check character" in page
    assert (
        "孙悟空" in page
        and "530802195803170019" in page
        and "甲村12号" in page
        and "138 0013 8000" in page
    )
    assert not Household.objects.exists()


def test_invalid_phone_is_named_and_nothing_is_saved(client, clerk_a, areas):
    client.force_login(clerk_a)
    response = client.post(
        reverse("household_new"),
        {
            "area": areas["va"].pk,
            "head_name": "孙悟空",
            "id_number": id_number(),
            "phone": "2380013",
            "members": 1,
        },
    )
    assert response.status_code == 200 and "11" in response.content.decode()
    assert not Household.objects.exists()


def test_duplicate_id_points_to_the_existing_household(client, clerk_a, people, areas):
    from foundation import crypto

    client.force_login(clerk_a)
    number = crypto.decrypt(people["low"].id_number_encrypted)
    response = client.post(
        reverse("household_new"),
        {"area": areas["va"].pk, "head_name": "李保", "id_number": number, "members": 2},
    )
    assert people["low"].get_absolute_url() in response.content.decode()


def test_register_and_add_another_keeps_the_village(client, clerk_a, areas):
    client.force_login(clerk_a)
    response = client.post(
        reverse("household_new"),
        {
            "area": areas["ga"].pk,
            "head_name": "周一",
            "id_number": id_number(),
            "members": 3,
            "add_another": "1",
        },
    )
    assert response.status_code == 302 and f"area={areas['ga'].pk}" in response["Location"]
    assert Household.objects.get().township_id == areas["ta"].pk


def test_reveal_shows_full_numbers_only_with_permission_and_records_it(client, clerk_a, people):
    from foundation import crypto

    number = crypto.decrypt(people["poor"].id_number_encrypted)
    client.force_login(clerk_a)
    url = reverse("household_reveal", args=[people["poor"].pk])
    assert number not in client.post(url, follow=True).content.decode()
    clerk_a.user_permissions.add(Permission.objects.get(codename="view_full_pii"))
    response = client.post(url)
    assert number in response.content.decode() and response["Cache-Control"] == "no-store"
    assert (
        AuditEvent.objects.filter(action="household.identity_revealed", actor=clerk_a).count() == 1
    )


def test_pair_and_end_from_the_household_page(client, clerk_a, people):
    client.force_login(clerk_a)
    client.post(
        reverse("household_pair", args=[people["low"].pk]),
        {"cadre": people["cadre"].pk, "kind": PairingKind.RELATIVES},
    )
    pairing = people["low"].pairings.get()
    client.post(reverse("pairing_end", args=[pairing.pk]))
    pairing.refresh_from_db()
    assert pairing.end_date == timezone.localdate()


def test_coverage_counts_must_visit_households_without_pairing(
    client, county_leader, people, areas
):
    client.force_login(county_leader)
    response = client.get(reverse("coverage"))
    rows = {row["area"].name: row for row in response.context["rows"]}
    assert (
        rows["思茅镇"]["households"],
        rows["思茅镇"]["must_visit"],
        rows["思茅镇"]["unpaired"],
    ) == (3, 2, 1)
    assert rows["思茅镇"]["coverage"] == 50
    assert (rows["南屏镇"]["must_visit"], rows["南屏镇"]["unpaired"]) == (1, 1)
    assert {h.head_name for h in response.context["unpaired"]} == {"李保", "钱邻"}
    assert list(response.context["rule_breakers"]) == []


def test_cadre_without_a_poor_household_is_listed(client, county_leader, people, areas):
    make_cadre(areas["tb"], name="孤雁")
    client.force_login(county_leader)
    breakers = client.get(reverse("coverage")).context["rule_breakers"]
    assert [(c.name, c.poor) for c, _missing in breakers] == [("孤雁", 0)]


@time_machine.travel(date(2026, 7, 2), tick=False)
def test_quota_progress_and_behind_schedule(client, clerk_a, county_leader, people, areas):
    cadre = people["cadre"]
    assign_responsibility(actor=None, area=areas["va"], cadre=cadre, duty="responsible")
    for day in (3, 10, 20):  # 3 in-person visits + 1 phone by 2 July; village quota 12 / 6
        record_visit(
            actor=clerk_a,
            cadre=cadre,
            visited_on=date(2026, 5, day),
            kind=VisitKind.HOME,
            households=[people["poor"]],
            stay_days=1,
        )
    record_visit(
        actor=clerk_a,
        cadre=cadre,
        visited_on=date(2026, 6, 1),
        kind=VisitKind.PHONE,
        households=[people["poor"]],
    )
    record_visit(
        actor=clerk_a,
        cadre=cadre,
        visited_on=date(2025, 6, 1),
        kind=VisitKind.HOME,
        households=[people["poor"]],
    )  # last year: not counted
    client.force_login(clerk_a)
    progress = client.get(reverse("cadre_detail", args=[cadre.pk])).context["progress"]
    by_key = {i["key"]: i for i in progress["items"]}
    assert (
        by_key["contacts"]["done"],
        by_key["contacts"]["quota"],
        by_key["contacts"]["projected"],
    ) == (4, 12, 8)
    assert (by_key["visits"]["done"], by_key["visits"]["quota"]) == (3, 6)
    assert (by_key["stay"]["done"], by_key["stay"]["quota"]) == (3, 60)
    assert progress["behind"] and by_key["contacts"]["behind"] and not by_key["visits"]["behind"]
    client.force_login(county_leader)
    rows = {r["area"].name: r for r in client.get(reverse("quotas")).context["rows"]}
    assert (
        rows["思茅镇"]["cadres"],
        rows["思茅镇"]["behind"],
        rows["思茅镇"]["contacts_total"],
    ) == (1, 1, 4)


def test_cadre_page_shows_households_matters_and_commitments(client, clerk_a, people):
    cadre = people["cadre"]
    record_visit(
        actor=clerk_a,
        cadre=cadre,
        visited_on=timezone.localdate(),
        kind=VisitKind.HOME,
        households=[people["poor"]],
        matters=[{"household": people["poor"], "kind": "difficulty", "description": "危房改造"}],
    )
    add_commitment(actor=clerk_a, cadre=cadre, year=timezone.localdate().year, content="修通进组路")
    client.force_login(clerk_a)
    page = client.get(reverse("cadre_detail", args=[cadre.pk])).content.decode()
    assert "王贫" in page and "危房改造" in page and "修通进组路" in page


def test_sibling_clerk_cannot_open_the_cadre_page(client, clerk_b_sibling, people):
    client.force_login(clerk_b_sibling)
    assert client.get(reverse("cadre_detail", args=[people["cadre"].pk])).status_code == 404
    assert "刘强" not in client.get(reverse("cadre_list")).content.decode()


def test_leaders_home_shows_the_ledger_and_meetings_due(
    client, county_leader, clerk_a, people, areas
):
    from grievances.services import file_matter

    file_matter(
        actor=clerk_a,
        area=areas["va"],
        owner=people["cadre"],
        applicant=people["poor"],
        description="饮水管道破裂",
        kind="difficulty",
        source="home_visit",
        received_on=date(2026, 1, 5),
    )
    client.force_login(county_leader)
    page = client.get(reverse("home"))
    counts = page.context["ledger_counts"]
    assert (counts["pending"], counts["overdue"], counts["escalated"]) == (1, 1, 0)
    assert {a.name for a in page.context["due"]} >= {"思茅镇", "南屏镇"}
    assert "民情联席会议" in page.content.decode()


def test_a_cadre_paired_across_the_boundary_shows_a_sibling_clerk_only_their_own_side(
    client, clerk_b_sibling, county_leader, people, areas
):
    """A 南屏镇 cadre paired by the county with a 思茅镇 household: a 南屏镇 clerk sees the
    cadre, not the 思茅镇 household nor its ledger matter (issue 9 §2)."""
    from grievances.services import file_matter

    nanping = make_cadre(areas["tb"], name="陈越")
    pair_household(
        actor=county_leader, cadre=nanping, household=people["poor"], kind=PairingKind.TERRITORIAL
    )
    file_matter(
        actor=county_leader,
        area=areas["ga"],
        owner=nanping,
        applicant=people["poor"],
        description="思茅镇一组饮水管道破裂",
        kind="difficulty",
        source="home_visit",
        received_on=timezone.localdate(),
    )
    client.force_login(clerk_b_sibling)
    response = client.get(reverse("cadre_detail", args=[nanping.pk]))
    assert response.status_code == 200 and "陈越" in response.content.decode()
    page = response.content.decode()
    assert "王贫" not in page and "饮水管道" not in page and "530802-" not in page
    assert list(response.context["households"]) == []
    assert list(response.context["matters"]) == []
    client.force_login(county_leader)
    page = client.get(reverse("cadre_detail", args=[nanping.pk])).content.decode()
    assert "王贫" in page and "饮水管道" in page
