import pytest

from foundation import crypto
from liaison.models import Cadre, Household, Pairing, Visit, VisitHousehold
from liaison.scale import seed_people_at_scale
from liaison.services import find_household_by_id_number
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db


def test_scale_seed_writes_consistent_linked_rows(areas, superuser):
    counts = seed_people_at_scale(
        root=areas["p"], households=60, cadres=9, pairings=66, visits=90, entered_by=superuser
    )
    assert counts["households"] == Household.objects.count() == 60
    assert counts["cadres"] == Cadre.objects.count() == 9
    assert Pairing.objects.count() == counts["pairings"] >= 55
    assert Visit.objects.count() == VisitHousehold.objects.count() == 90
    # Denormalised columns copied from the household, in SQL.
    assert (
        not Pairing.objects.filter(area_path="").exists()
        and not Visit.objects.filter(area_path="").exists()
    )
    pairing = Pairing.objects.select_related("household").first()
    assert (pairing.area_path, pairing.township_id) == (
        pairing.household.area_path,
        pairing.household.township_id,
    )
    link = VisitHousehold.objects.select_related("visit").first()
    assert link.visited_on == link.visit.visited_on
    # Identity columns are real: decryptable, and found through the keyed hash.
    household = Household.objects.first()
    assert find_household_by_id_number(crypto.decrypt(household.id_number_encrypted)) == household
    # Sequences were reset: the services can add rows afterwards.
    assert make_household(areas["va"]).pk > household.pk + 59
