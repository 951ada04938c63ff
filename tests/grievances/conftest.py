"""Ledger personas on the shared tree: an owner in 甲村 and a responsible cadre per level.

甲村 (village) > 思茅镇 (township) > 思茅区 (county) > 普洱市 (city, nobody responsible).
"""

from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from grievances.models import MatterSource
from grievances.services import file_matter
from liaison.models import Duty, MatterKind, Rank
from liaison.services import assign_responsibility
from responsibility_areas.models import Role
from tests.conftest import PASSWORD, _person
from tests.liaison.factories import make_cadre, make_household


def _cadre_with_user(area, username, name, rank):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    return make_cadre(area, name=name, rank=rank, user=user)


@pytest.fixture
def ledger(areas):
    """Owner, responsible cadres of 甲村 / 思茅镇 / 思茅区 / 南屏镇, a household of 甲村."""
    people = SimpleNamespace(areas=areas)
    people.owner = _cadre_with_user(areas["va"], "owner", "刘强", Rank.VILLAGE)
    people.village_head = _cadre_with_user(areas["va"], "village_head", "杨村", Rank.VILLAGE)
    people.township_head = _cadre_with_user(areas["ta"], "township_head", "王镇", Rank.TOWNSHIP)
    people.county_head = _cadre_with_user(areas["ca"], "county_head", "李县", Rank.COUNTY)
    people.sibling_head = _cadre_with_user(areas["tb"], "sibling_head", "陈南", Rank.TOWNSHIP)
    for key, cadre in [
        ("va", people.village_head),
        ("ta", people.township_head),
        ("ca", people.county_head),
        ("tb", people.sibling_head),
    ]:
        assign_responsibility(
            actor=None,
            area=areas[key],
            cadre=cadre,
            duty=Duty.RESPONSIBLE,
            start_date=date(2020, 1, 1),
        )
    people.household = make_household(areas["va"], name="王大")
    return people


@pytest.fixture
def township_leader(areas):
    return _person("township_leader", areas["ta"], Role.TOWNSHIP_LEADER, last_name="王")


@pytest.fixture
def make_matter(ledger):
    def make(*, actor=None, received_on=None, kind=MatterKind.DIFFICULTY, **extra):
        from django.utils import timezone

        return file_matter(
            actor=actor,
            owner=extra.pop("owner", ledger.owner),
            applicant=extra.pop("applicant", ledger.household),
            description=extra.pop("description", "自来水管破裂，吃水困难"),
            kind=kind,
            source=extra.pop("source", MatterSource.HOME_VISIT),
            received_on=received_on or timezone.localdate(),
            **extra,
        )

    return make
