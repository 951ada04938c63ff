import pytest
from django.core.management import call_command
from django.db.models import Count

from liaison.models import Household, Pairing, Visit
from responsibility_areas.models import Area

pytestmark = pytest.mark.django_db


def test_seed_scale_builds_exactly_the_requested_tree_once_and_people(capsys):
    args = {"cities": 2, "counties": 3, "townships": 5, "villages": 11, "groups_per_village": 2}
    call_command("seed_scale", **args, households=40)
    levels = dict(Area.objects.order_by().values_list("level").annotate(n=Count("id")))
    assert levels == {
        "province": 1,
        "city": 2,
        "county": 3,
        "township": 5,
        "village": 11,
        "group": 22,
    }
    assert Area.objects.find_problems() == ([], [], [], [], [])
    assert all(
        len(code) == 12
        for code in Area.objects.exclude(division_code="").values_list("division_code", flat=True)
    )
    assert (
        Household.objects.count() == 40
        and Pairing.objects.exists()
        and Visit.objects.count() == 120
    )
    before = Area.objects.count()
    call_command("seed_scale", **args)
    assert Area.objects.count() == before
