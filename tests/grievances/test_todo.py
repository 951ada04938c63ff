"""待办 on the home page, per role, with red (overdue) and amber (due soon) marks (issue 13 §1)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grievances import services
from grievances.deadlines import add_working_days
from grievances.models import Matter, Satisfaction
from liaison.models import HouseholdCategory, PairingKind
from liaison.services import pair_household
from responsibility_areas.models import Role
from responsibility_areas.services import grant_membership
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db


def _sections(html):
    """{section key: (count, [(mark, text)])} as the home page shows them."""
    found = {}
    for key, body in re.findall(r'data-todo="(\w+)">(.*?)</section>', html, re.S):
        count = int(re.search(r'data-testid="todo-count-\w+">(\d+)<', body).group(1))
        items = re.findall(r'<li class="([\w-]*)"><a href="[^"]*">(.*?)</a>', body, re.S)
        found[key] = (count, [(mark, re.sub(r"<[^>]+>", "", text)) for mark, text in items])
    return found


@pytest.fixture
def day(ledger):
    return timezone.localdate()


def _deadline(matter, deadline):
    Matter.objects.filter(pk=matter.pk).update(deadline=deadline)
    matter.refresh_from_db()
    return matter


def test_a_cadre_sees_own_matters_red_when_overdue_amber_when_due_soon(
    client, ledger, make_matter, day
):
    late = _deadline(make_matter(topic="吃水"), day - timedelta(days=2))
    soon = _deadline(make_matter(topic="道路"), add_working_days(day, 2))
    later = _deadline(make_matter(topic="低保"), day + timedelta(days=40))
    client.force_login(ledger.owner.user)
    html = client.get(reverse("home")).content.decode()
    count, items = _sections(html)["my_matters"]
    assert count == 3
    assert [mark for mark, _text in items] == ["overdue", "due-soon", ""]  # by deadline
    assert late.number in items[0][1] and soon.number in items[1][1] and later.number in items[2][1]
    # The navigation counts what waits.
    assert re.search(r'data-testid="todo-count"[^>]*>\d+<', html)


def test_households_not_visited_this_quarter_must_visit_first(client, ledger, areas, day):
    cadre = ledger.owner
    grant_membership(
        actor=None,
        actor_name="test",
        user=cadre.user,
        area=areas["va"],
        role=Role.CADRE,
        start_date=date(2020, 1, 1),
    )
    plain = make_household(areas["va"], name="甲户")
    poor = make_household(areas["va"], name="乙户", categories=[HouseholdCategory.POOR])
    for household in (plain, poor):
        pair_household(
            actor=None,
            cadre=cadre,
            household=household,
            kind=PairingKind.TERRITORIAL,
            start_date=date(2024, 1, 1),
        )
    client.force_login(cadre.user)
    count, items = _sections(client.get(reverse("home")).content.decode())["not_visited"]
    assert count == 2
    assert items[0][1].strip() == "必访乙户" and items[0][0] == "overdue"
    assert items[1][1].strip().startswith("甲户")


def test_a_clerk_sees_the_townships_due_matters_and_feedback_to_record(
    client, clerk_a, ledger, make_matter, day
):
    late = _deadline(make_matter(), day - timedelta(days=1))
    _deadline(make_matter(), day + timedelta(days=40))  # not due: not listed
    settled = make_matter()
    services.resolve(actor=None, matter=settled, resolution="已修好")
    client.force_login(clerk_a)
    sections = _sections(client.get(reverse("home")).content.decode())
    count, items = sections["due"]
    assert count == 1 and late.number in items[0][1] and items[0][0] == "overdue"
    count, items = sections["feedback"]
    assert count == 1 and settled.number in items[0][1]
    assert sections["imports"][0] == 0 and sections["unfiled"][0] == 0
    # "All" goes to the ledger list filtered the same way: the same matters.
    page = client.get(reverse("grievances:list"), {"due_soon": "true"})
    assert [m.pk for m in page.context["page"]] == [late.pk]
    page = client.get(reverse("grievances:list"), {"awaiting": "feedback"})
    assert [m.pk for m in page.context["page"]] == [settled.pk]


def test_a_leader_sees_close_outs_awaiting_approval_and_escalations(
    client, township_leader, ledger, make_matter, day
):
    settled = make_matter()
    services.resolve(actor=None, matter=settled, resolution="已修好")
    settled.refresh_from_db()
    services.record_feedback(
        actor=None, matter=settled, feedback="满意", satisfaction=Satisfaction.SATISFIED
    )
    escalated = _deadline(make_matter(), day - timedelta(days=3))
    services.escalate_overdue_matters()
    escalated.refresh_from_db()
    assert escalated.handling_area_id == ledger.areas["ta"].pk
    client.force_login(township_leader)
    sections = _sections(client.get(reverse("home")).content.decode())
    count, items = sections["close_out"]
    assert count == 1 and settled.number in items[0][1]
    count, items = sections["escalated"]
    assert count == 1 and escalated.number in items[0][1]
    page = client.get(reverse("grievances:list"), {"escalated_to_me": "true"})
    assert [m.pk for m in page.context["page"]] == [escalated.pk]
    # The close-out page, opened from the to-do, shows which rows await the leader, and
    # its button says what it does.
    html = client.get(reverse("grievances:close_out"), {"awaiting": "1"}).content.decode()
    assert re.findall(r'data-matter="(\d+)"[^>]*data-awaiting="1"', html) == [str(settled.pk)]
    assert "批准销号" in html and "保存勾选的事项" not in html


def test_someone_else_in_another_township_sees_none_of_it(
    client, clerk_b_sibling, ledger, make_matter, day
):
    _deadline(make_matter(), day - timedelta(days=1))
    client.force_login(clerk_b_sibling)
    sections = _sections(client.get(reverse("home")).content.decode())
    assert sections["due"][0] == 0


def test_the_assignment_slip_shows_owner_handler_deadline_and_timeline(
    client, clerk_a, clerk_b_sibling, ledger, make_matter
):
    matter = make_matter(topic="吃水")
    client.force_login(clerk_a)
    html = client.get(reverse("grievances:print", args=[matter.pk])).content.decode()
    assert "民情事项交办单" in html and matter.number in html
    assert ledger.owner.name in html and matter.handler.name in html
    assert f"{matter.deadline.year}年{matter.deadline.month}月{matter.deadline.day}日" in html
    assert "思茅镇 / 甲村" in html  # the place by its path
    assert "登记" in html  # the timeline's first step
    client.force_login(clerk_b_sibling)
    assert client.get(reverse("grievances:print", args=[matter.pk])).status_code == 404


def test_the_monthly_ledger_exports_what_the_page_shows(client, clerk_a, ledger, make_matter):
    import io

    from openpyxl import load_workbook

    make_matter()
    make_matter()
    client.force_login(clerk_a)
    page = client.get(reverse("grievances:monthly"))
    total = page.context["total"]
    response = client.get(reverse("grievances:monthly_export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    header, last = rows[0], dict(zip(rows[0], rows[-1], strict=True))
    assert header[1] == "新增"
    assert last[header[0]].startswith("合计")
    assert last[header[1]] == total["new"] == 2
