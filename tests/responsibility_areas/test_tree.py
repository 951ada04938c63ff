import pytest

from foundation.models import AuditEvent
from responsibility_areas.models import Area, Level
from responsibility_areas.services import (
    AreaError,
    AreaSpec,
    create_area,
    ensure_area_tree,
    move_area,
    update_area,
)
from tests.conftest import TREE

pytestmark = pytest.mark.django_db


def test_tree_is_consistent_for_treebeard(areas):
    assert Area.objects.find_problems() == ([], [], [], [], [])
    assert Area.objects.get_parent(areas["ta"]) == areas["ca"]
    assert Area.objects.get(pk=areas["ca"].pk).numchild == 2
    assert [a.name for a in Area.objects.get_ancestors(areas["ga"])] == [
        "云南省",
        "普洱市",
        "思茅区",
        "思茅镇",
        "甲村",
    ]


def test_ensuring_the_same_tree_twice_changes_nothing(areas):
    before = list(Area.objects.values_list("pk", "path", "numchild"))
    events = AuditEvent.objects.count()
    again = ensure_area_tree(actor=None, specs=TREE)
    assert list(Area.objects.values_list("pk", "path", "numchild")) == before
    assert AuditEvent.objects.count() == events
    assert again["ta"].pk == areas["ta"].pk


def test_new_nodes_are_appended_after_existing_siblings(areas):
    more = ensure_area_tree(
        actor=None, specs=[AreaSpec("x", areas["ca"], "倚象镇", Level.TOWNSHIP)]
    )
    assert Area.objects.get_parent(more["x"]) == areas["ca"]
    assert Area.objects.get(pk=areas["ca"].pk).numchild == 3
    assert Area.objects.find_problems() == ([], [], [], [], [])


def test_a_child_must_sit_below_its_parent_level(areas):
    with pytest.raises(AreaError) as err:
        ensure_area_tree(actor=None, specs=[AreaSpec("x", areas["va"], "某县", Level.COUNTY)])
    assert err.value.code == "bad_level"
    assert not Area.objects.filter(name="某县").exists()


def test_move_rewrites_every_descendant_path_and_is_audited(areas, city_admin):
    moved = move_area(actor=city_admin, area=areas["va"], new_parent=areas["tb"])
    group = Area.objects.get(pk=areas["ga"].pk)
    assert Area.objects.get_parent(moved) == areas["tb"]
    assert group.path.startswith(moved.path) and Area.objects.get_parent(group) == moved
    assert Area.objects.find_problems() == ([], [], [], [], [])
    event = AuditEvent.objects.get(action="area.moved")
    assert event.actor == city_admin and event.data["from_path"] == areas["va"].path


@pytest.mark.parametrize("target", ["va", "ga"])
def test_an_area_cannot_move_into_its_own_subtree(areas, city_admin, target):
    with pytest.raises(AreaError) as err:
        move_area(actor=city_admin, area=areas["ta"], new_parent=areas[target])
    assert err.value.code in {"cycle", "bad_level"}


def test_only_administrators_of_both_ends_may_move(areas, county_leader):
    with pytest.raises(AreaError) as err:
        move_area(actor=county_leader, area=areas["va"], new_parent=areas["tb"])
    assert err.value.code == "out_of_scope"


def test_create_and_rename_are_audited(areas, city_admin):
    area = create_area(actor=city_admin, parent=areas["ta"], name="新村", level=Level.VILLAGE)
    area.name = "新华村"
    update_area(actor=city_admin, area=area, changed=["name"])
    actions = list(
        AuditEvent.objects.filter(object_id=str(area.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["area.created", "area.updated"]
    with pytest.raises(AreaError):
        create_area(actor=city_admin, parent=areas["ta"], name="新华村", level=Level.VILLAGE)
