"""One leader, one area: assigning the duties of an area, with history, scoped."""

from datetime import date

import pytest
from django.urls import reverse

from liaison.models import Duty, ResponsibilityAssignment
from tests.liaison.factories import make_cadre

pytestmark = pytest.mark.django_db


def _assign(client, area, cadre, start, duty=Duty.RESPONSIBLE):
    return client.post(
        reverse("area_responsibility", args=[area.pk]),
        {"duty": duty, "cadre": cadre.pk, "start_date": start},
    )


def test_a_change_of_leader_ends_the_old_term_and_keeps_it_in_the_history(client, clerk_a, areas):
    old, new = make_cadre(areas["ta"], name="张旧"), make_cadre(areas["ta"], name="李新")
    client.force_login(clerk_a)
    assert _assign(client, areas["va"], old, "2025-01-01").status_code == 302
    assert _assign(client, areas["va"], new, "2026-03-01").status_code == 302
    terms = ResponsibilityAssignment.objects.filter(area=areas["va"]).order_by("start_date")
    assert [(t.cadre.name, t.end_date) for t in terms] == [
        ("张旧", date(2026, 3, 1)),
        ("李新", None),
    ]
    page = client.get(reverse("area_responsibility", args=[areas["va"].pk])).content.decode()
    assert "张旧" in page and "李新" in page and "联络员" in page and "空缺" in page


def test_a_term_cannot_start_before_the_present_one(client, clerk_a, areas):
    old, new = make_cadre(areas["ta"], name="张旧"), make_cadre(areas["ta"], name="李新")
    client.force_login(clerk_a)
    _assign(client, areas["va"], old, "2026-01-01")
    response = _assign(client, areas["va"], new, "2025-06-01")
    assert response.status_code == 200 and "不能早于现任人员" in response.content.decode()
    assert ResponsibilityAssignment.objects.get(end_date__isnull=True).cadre == old


def test_sibling_township_cannot_see_or_assign(client, clerk_b_sibling, areas):
    cadre = make_cadre(areas["tb"], name="陈邻")
    client.force_login(clerk_b_sibling)
    assert client.get(reverse("area_responsibility", args=[areas["va"].pk])).status_code == 404
    assert _assign(client, areas["va"], cadre, "2026-01-01").status_code == 404
    assert not ResponsibilityAssignment.objects.exists()


def test_a_stale_responsibility_page_replaces_nobody(client, clerk_a, areas):
    """Two clerks on the same page: the second assignment was made over a holder it never
    saw. Now the page names the term it replaces; a stale one changes nothing."""
    old, first, second = (make_cadre(areas["ta"], name=n) for n in ("张旧", "李新", "王后"))
    client.force_login(clerk_a)
    _assign(client, areas["va"], old, "2025-01-01")
    page = client.get(reverse("area_responsibility", args=[areas["va"].pk]))
    current = ResponsibilityAssignment.objects.get(area=areas["va"], end_date__isnull=True)
    assert f'name="seen_responsible" value="{current.pk}"' in page.content.decode()
    url = reverse("area_responsibility", args=[areas["va"].pk])
    body = {"duty": Duty.RESPONSIBLE, "start_date": "2026-03-01", "seen_responsible": current.pk}
    assert client.post(url, {**body, "cadre": first.pk}).status_code == 302
    stale = client.post(url, {**body, "cadre": second.pk})  # made from the same old page
    assert stale.status_code == 200
    html = stale.content.decode()
    assert "已被他人修改" in html and "李新" in html
    holder = ResponsibilityAssignment.objects.get(
        area=areas["va"], duty=Duty.RESPONSIBLE, end_date__isnull=True
    )
    assert holder.cadre == first
