from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone

from foundation import crypto
from foundation.models import AuditEvent
from liaison.models import (
    Household,
    HouseholdCategory,
    Pairing,
    PairingKind,
    ResponsibilityAssignment,
    Visit,
    VisitKind,
    VisitMatter,
)
from liaison.services import (
    LiaisonError,
    assign_responsibility,
    end_pairing,
    find_household_by_id_number,
    pair_household,
    record_visit,
    register_household,
    reveal_household_identity,
)
from responsibility_areas.models import Area
from responsibility_areas.services import move_area
from tests.liaison.factories import id_number, make_cadre, make_household, phone

pytestmark = pytest.mark.django_db


def test_household_gets_denormalised_place_and_encrypted_identity(areas, clerk_a):
    number = id_number()
    household = register_household(
        actor=clerk_a, area=areas["ga"], head_name="张三丰", id_number=number, phone="138 0013 8000"
    )
    assert household.area_path == areas["ga"].path
    assert (household.county_id, household.township_id) == (areas["ca"].pk, areas["ta"].pk)
    assert household.name_initials == "ZSF"
    assert household.id_number_masked == number[:6] + "********" + number[-4:]
    assert household.phone_masked == "138****8000"
    assert find_household_by_id_number(number) == household
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM liaison_household")
        raw = repr(cursor.fetchall())
    assert number not in raw and "13800138000" not in raw


def test_duplicate_id_points_to_the_existing_household_when_in_scope(
    areas, clerk_a, clerk_b_sibling
):
    number = id_number()
    first = register_household(actor=clerk_a, area=areas["va"], head_name="李四", id_number=number)
    with pytest.raises(LiaisonError) as err:
        register_household(
            actor=clerk_a, area=areas["va"], head_name="李四", id_number=number.lower()
        )
    assert err.value.code == "duplicate_id" and err.value.existing == first
    with pytest.raises(LiaisonError) as err:
        register_household(
            actor=clerk_b_sibling, area=areas["vb"], head_name="李四", id_number=number
        )
    assert err.value.existing is None and "李四" not in err.value.message  # nothing leaks


def test_a_taken_cadre_phone_names_the_cadre_only_inside_the_scope(areas, clerk_a, clerk_b_sibling):
    """Issue 9 §2: "该手机号码属于干部刘强" told a 南屏镇 clerk who holds a 思茅镇 number."""
    from liaison.services import register_cadre

    taken = make_cadre(areas["ta"], name="刘强").phone
    kwargs = {"rank": "township", "unit": "镇政府", "post": "干事", "phone": taken}
    with pytest.raises(LiaisonError) as err:
        register_cadre(actor=clerk_a, area=areas["ta"], name="王五", **kwargs)
    assert "刘强" in err.value.message and err.value.existing is not None
    with pytest.raises(LiaisonError) as err:
        register_cadre(actor=clerk_b_sibling, area=areas["tb"], name="王五", **kwargs)
    assert err.value.code == "duplicate_phone" and err.value.existing is None
    assert "刘强" not in err.value.message and "管理员" in err.value.message


@pytest.mark.parametrize(
    "field,kwargs",
    [
        ("id_number", {"id_number": "530802195803170011"}),
        ("phone", {"phone": "2380013800"}),
        ("area", {"area_key": "ta"}),
    ],
)
def test_invalid_household_input_names_the_field_and_writes_nothing(areas, clerk_a, field, kwargs):
    area = areas[kwargs.pop("area_key", "va")]
    args = {"id_number": id_number(), "phone": "", **kwargs}
    with pytest.raises(LiaisonError) as err:
        register_household(actor=clerk_a, area=area, head_name="赵五", **args)
    assert err.value.field == field
    assert not Household.objects.exists()


def test_clerk_cannot_register_a_household_in_the_sibling_township(areas, clerk_a):
    with pytest.raises(LiaisonError) as err:
        make_household(areas["vb"], actor=clerk_a)
    assert err.value.code == "out_of_scope"


def test_reveal_needs_the_permission_and_is_audited(areas, clerk_a):
    number = id_number()
    household = register_household(
        actor=clerk_a, area=areas["va"], head_name="钱六", id_number=number
    )
    with pytest.raises(LiaisonError):
        reveal_household_identity(actor=clerk_a, household=household)
    clerk_a.user_permissions.add(Permission.objects.get(codename="view_full_pii"))
    clerk_a = type(clerk_a).objects.get(pk=clerk_a.pk)
    assert reveal_household_identity(actor=clerk_a, household=household)["id_number"] == number
    assert (
        AuditEvent.objects.filter(action="household.identity_revealed", actor=clerk_a).count() == 1
    )


def test_a_wrong_data_key_fails_loudly():
    token = crypto.encrypt("53080219580317001X")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.KeyMismatch):
        crypto.decrypt(tampered)


def test_pairing_is_idempotent_and_ending_keeps_history(areas, clerk_a):
    cadre, household = make_cadre(areas["ta"]), make_household(areas["va"])
    pairing = pair_household(
        actor=clerk_a, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL
    )
    assert (
        pair_household(
            actor=clerk_a, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL
        )
        == pairing
    )
    end_pairing(actor=clerk_a, pairing=pairing)
    with pytest.raises(LiaisonError):
        end_pairing(actor=clerk_a, pairing=pairing)
    assert Pairing.objects.active().count() == 0 and Pairing.objects.count() == 1
    again = pair_household(
        actor=clerk_a, cadre=cadre, household=household, kind=PairingKind.RELATIVES
    )
    assert again.pk != pairing.pk


def test_new_responsible_cadre_ends_the_previous_term(areas, clerk_a):
    first, second = make_cadre(areas["ta"], name="甲"), make_cadre(areas["ta"], name="乙")
    assign_responsibility(
        actor=clerk_a,
        area=areas["va"],
        cadre=first,
        duty="responsible",
        start_date=date(2025, 1, 1),
    )
    assign_responsibility(
        actor=clerk_a,
        area=areas["va"],
        cadre=second,
        duty="responsible",
        start_date=date(2026, 3, 1),
    )
    history = list(
        ResponsibilityAssignment.objects.order_by("start_date").values_list(
            "cadre__name", "end_date"
        )
    )
    assert history == [("甲", date(2026, 3, 1)), ("乙", None)]


def test_visit_for_two_households_with_one_matter_solved_and_one_to_ledger(areas, clerk_a):
    cadre = make_cadre(areas["ta"])
    h1, h2 = make_household(areas["ga"], name="王一"), make_household(areas["va"], name="王二")
    visit = record_visit(
        actor=clerk_a,
        cadre=cadre,
        visited_on=timezone.localdate(),
        kind=VisitKind.HOME,
        households=[h1, h2],
        notes={"q_difficulties": "缺水"},
        matters=[
            {
                "household": h1,
                "kind": "difficulty",
                "description": "水管破裂",
                "solved_on_spot": True,
                "resolution": "当场联系维修",
            },
            {"household": h2, "kind": "difficulty", "description": "危房改造"},
        ],
    )
    assert visit.entered_by == clerk_a and visit.cadre == cadre
    assert visit.area_path == areas["va"].path  # the lowest area enclosing both households
    assert set(visit.households.all()) == {h1, h2}
    assert VisitMatter.objects.filter(solved_on_spot=False, owner=cadre).count() == 1


def test_future_visits_and_foreign_households_are_refused(areas, clerk_a, clerk_b_sibling):
    cadre, household = make_cadre(areas["ta"]), make_household(areas["va"])
    with pytest.raises(LiaisonError) as err:
        record_visit(
            actor=clerk_a,
            cadre=cadre,
            visited_on=timezone.localdate() + timedelta(days=1),
            kind=VisitKind.HOME,
            households=[household],
        )
    assert err.value.field == "visited_on"
    with pytest.raises(LiaisonError):
        record_visit(
            actor=clerk_b_sibling,
            cadre=cadre,
            visited_on=timezone.localdate(),
            kind=VisitKind.HOME,
            households=[household],
        )
    assert not Visit.objects.exists()


def test_moving_a_village_rewrites_path_and_township_on_every_big_table(areas, city_admin, clerk_a):
    cadre = make_cadre(areas["ta"])
    household = make_household(areas["ga"], categories=[HouseholdCategory.POOR])
    pairing = pair_household(
        actor=clerk_a, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL
    )
    visit = record_visit(
        actor=clerk_a,
        cadre=cadre,
        visited_on=timezone.localdate(),
        kind=VisitKind.HOME,
        households=[household],
    )
    moved = move_area(actor=city_admin, area=areas["va"], new_parent=areas["tb"])
    group = Area.objects.get(pk=areas["ga"].pk)
    for model, pk in ((Household, household.pk), (Pairing, pairing.pk), (Visit, visit.pk)):
        row = model.objects.get(pk=pk)
        assert row.area_path == group.path, model
        assert (row.township_id, row.county_id) == (areas["tb"].pk, areas["ca"].pk), model
    assert Household.objects.subtree_of(moved).count() == 1
    # The cadre's home (the township) did not move.
    assert type(cadre).objects.get(pk=cadre.pk).area_path == areas["ta"].path


def test_moving_a_township_to_another_county_changes_only_the_county(areas, city_admin):
    household = make_household(areas["va"])
    move_area(actor=city_admin, area=areas["ta"], new_parent=areas["cb"])
    row = Household.objects.get(pk=household.pk)
    assert (row.township_id, row.county_id) == (areas["ta"].pk, areas["cb"].pk)


def test_every_write_left_its_record(areas, clerk_a):
    cadre = make_cadre(areas["ta"], actor=clerk_a)
    household = make_household(areas["va"], actor=clerk_a)
    pair_household(actor=clerk_a, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL)
    actions = set(AuditEvent.objects.filter(actor=clerk_a).values_list("action", flat=True))
    assert {"cadre.registered", "household.registered", "pairing.created"} <= actions
    assert phone()  # factories stay usable
