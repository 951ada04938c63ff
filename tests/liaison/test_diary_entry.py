"""The diary entry screen: fast, scoped, and nothing typed is lost on a validation error."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from foundation.models import AuditEvent
from liaison.models import PairingKind, Visit, VisitMatter
from liaison.services import pair_household
from responsibility_areas.models import Role
from responsibility_areas.services import grant_membership
from tests.liaison.factories import make_cadre, make_household

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def people(areas, clerk_a):
    cadre = make_cadre(areas["ta"], name="刘强")
    wang = make_household(areas["ga"], name="王大明")
    li = make_household(areas["va"], name="李小红")
    sibling = make_household(areas["vb"], name="钱邻")
    sibling_cadre = make_cadre(areas["tb"], name="周外")
    pair_household(actor=None, cadre=cadre, household=wang, kind=PairingKind.TERRITORIAL)
    return {
        "cadre": cadre,
        "wang": wang,
        "li": li,
        "sibling": sibling,
        "sibling_cadre": sibling_cadre,
    }


def _post(cadre, households, matters=(), **extra):
    data = {
        "cadre": cadre.pk,
        "visited_on": "2026-06-14",
        "kind": "home",
        "place": "王家",
        "stay_days": "0",
        "households": [h.pk for h in households],
        "q_difficulties": "孩子上学路远，雨季路滑",
        "q_wishes": "想养殖黑山羊",
        "matters-TOTAL_FORMS": str(len(matters)),
        "matters-INITIAL_FORMS": "0",
        "matters-MIN_NUM_FORMS": "0",
        "matters-MAX_NUM_FORMS": "30",
    }
    for i, matter in enumerate(matters):
        data.update({f"matters-{i}-{key}": value for key, value in matter.items()})
    data.update(extra)
    return data


def test_clerk_records_a_diary_for_two_households_with_a_solved_and_a_ledgered_matter(
    client, clerk_a, people
):
    client.force_login(clerk_a)
    data = _post(
        people["cadre"],
        [people["wang"], people["li"]],
        matters=[
            {
                "household": people["wang"].pk,
                "kind": "difficulty",
                "topic": "医疗",
                "description": "医保卡丢失",
                "solved_on_spot": "on",
                "resolution": "当场帮助挂失补办",
            },
            {
                "household": people["li"].pk,
                "kind": "difficulty",
                "topic": "道路",
                "description": "村道雨季塌方，出行困难",
            },
        ],
    )
    response = client.post(reverse("visit_new"), data)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    assert visit.cadre == people["cadre"] and visit.entered_by == clerk_a
    assert visit.visited_on == date(2026, 6, 14) and visit.q_wishes == "想养殖黑山羊"
    assert set(visit.households.values_list("head_name", flat=True)) == {"王大明", "李小红"}
    solved = VisitMatter.objects.get(solved_on_spot=True)
    assert solved.resolution == "当场帮助挂失补办" and solved.household == people["wang"]
    ledgered = VisitMatter.objects.get(solved_on_spot=False)
    assert ledgered.owner == people["cadre"] and ledgered.household == people["li"]
    assert AuditEvent.objects.filter(action="visit.recorded", actor=clerk_a).count() == 1
    # The visit shows on the cadre's page: the last visit date of the paired household.
    page = client.get(people["cadre"].get_absolute_url()).content.decode()
    assert "2026-06-14" in page and "村道雨季塌方" in page


def test_save_and_add_another_keeps_cadre_date_and_kind(client, clerk_a, people):
    client.force_login(clerk_a)
    response = client.post(
        reverse("visit_new"), _post(people["cadre"], [people["wang"]], add_another="1")
    )
    assert response.status_code == 302
    assert (
        f"cadre={people['cadre'].pk}" in response["Location"]
        and "date=2026-06-14" in response["Location"]
    )
    page = client.get(response["Location"]).content.decode()
    assert 'value="2026-06-14"' in page and f'value="{people["cadre"].pk}" selected' in page


def test_a_failed_save_keeps_everything_typed_and_writes_nothing(client, clerk_a, people):
    client.force_login(clerk_a)
    data = _post(
        people["cadre"],
        [people["wang"], people["li"]],
        matters=[
            {
                "household": people["li"].pk,
                "kind": "difficulty",
                "description": "危房需要改造",
                "solved_on_spot": "on",
                "resolution": "",
            },
        ],
    )
    response = client.post(reverse("visit_new"), data)
    page = response.content.decode()
    assert response.status_code == 200 and Visit.objects.count() == 0
    assert "当场解决的事项请填写解决情况" in page  # the error names the matter field, in Chinese
    for typed in ("孩子上学路远，雨季路滑", "想养殖黑山羊", "危房需要改造", "王大明", "李小红"):
        assert typed in page
    assert page.count('name="households"') == 2


def test_no_household_and_a_future_date_are_refused_clearly(client, clerk_a, people):
    client.force_login(clerk_a)
    page = client.post(
        reverse("visit_new"), _post(people["cadre"], [], visited_on="2026-06-16")
    ).content.decode()
    assert "请至少选择一户" in page and "走访日期不能晚于今天" in page
    assert Visit.objects.count() == 0 and "想养殖黑山羊" in page


def test_sibling_township_households_and_cadres_cannot_be_used(client, clerk_a, people):
    client.force_login(clerk_a)
    response = client.post(
        reverse("visit_new"), _post(people["sibling_cadre"], [people["sibling"]])
    )
    assert response.status_code == 200 and Visit.objects.count() == 0
    page = response.content.decode()
    assert "钱邻" not in page and "周外" not in page


def test_household_search_by_name_initials_and_digits_is_scoped(client, clerk_a, people):
    client.force_login(clerk_a)
    url = reverse("visit_household_search")
    assert "王大明" in client.get(url, {"q": "WDM"}).content.decode()
    assert "李小红" in client.get(url, {"q": "小红"}).content.decode()
    assert "李小红" in client.get(url, {"q": people["li"].id_last4}).content.decode()
    assert "钱邻" not in client.get(url, {"q": "QL"}).content.decode()
    paired = client.get(url, {"cadre": people["cadre"].pk}).content.decode()
    assert "王大明" in paired and "李小红" not in paired


def test_a_cadre_enters_only_their_own_diaries(client, areas, people):
    user = get_user_model().objects.create_user("liuqiang", password="x-Pass-2026")
    grant_membership(
        actor=None,
        actor_name="test",
        user=user,
        area=areas["ta"],
        role=Role.CADRE,
        start_date=date(2020, 1, 1),
    )
    cadre = people["cadre"]
    cadre.user = user
    cadre.save(update_fields=["user"])
    other = make_cadre(areas["ta"], name="何其")
    client.force_login(user)
    page = client.get(reverse("visit_new")).content.decode()
    assert "何其" not in page and f'value="{cadre.pk}" selected' in page
    client.post(reverse("visit_new"), _post(other, [people["wang"]]))
    assert Visit.objects.count() == 0
    client.post(reverse("visit_new"), _post(cadre, [people["wang"]]))
    assert Visit.objects.get().entered_by == user
