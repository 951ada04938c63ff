"""The handling levels are the seeds' (issue 21, 7): village, township, county and up — a
village group's matter is handled by its village, and goes up from there."""

import pytest

from grievances.models import HandlingLevel
from grievances.services import report_up
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db


def test_a_groups_matter_is_handled_by_its_village_and_goes_up_to_the_township(
    make_matter, ledger, areas
):
    household = make_household(areas["ga"], name="组里人家")  # 甲村 一组
    matter = make_matter(applicant=household)
    assert matter.area == areas["ga"]  # where it arose stays the group
    assert (matter.handling_area, matter.level) == (areas["va"], HandlingLevel.VILLAGE)
    assert matter.handler == ledger.village_head  # the village's responsible cadre
    matter = report_up(actor=ledger.owner.user, matter=matter, reason="村里协调不了")
    assert (matter.handling_area, matter.level) == (areas["ta"], HandlingLevel.TOWNSHIP)
