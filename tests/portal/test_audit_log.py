"""The change log reads as who did what to what, in Chinese, with old → new (issue 13 §7)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from foundation.models import AuditEvent
from liaison import services
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(areas, clerk_a):
    household = make_household(areas["va"], actor=clerk_a, name="王大明", members=4)
    services.update_household(
        actor=clerk_a,
        household=household,
        head_name="王大明",
        members=5,
        address=household.address,
        categories=household.category_list,
        party_member=household.party_member,
        version=household.version,
    )
    return household


def _rows(html):
    body = html.split('data-testid="audit-table"', 1)[1]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr")[2:]
    ]


def test_a_change_reads_as_who_did_what_to_what_with_old_and_new(client, county_leader, edited):
    client.force_login(county_leader)
    html = client.get(reverse("audit_log")).content.decode()
    rows = _rows(html)
    edit = next(r for r in rows if "修改农户信息" in r)
    assert "张丽" in edit  # the person by name
    assert "农户 王大明" in edit  # the object, in words
    assert re.search(r"家庭人口：\s*4 → 5", edit)  # the changed field as 旧值 → 新值
    assert any("登记农户" in r for r in rows)
    # No raw codes or Python dicts on the page.
    assert "household.updated" not in _visible(html)
    assert "{" not in _visible(html) and "&#x27;" not in _visible(html)
    # The object links to its page.
    assert f'href="{reverse("household_detail", args=[edited.pk])}"' in html


def _visible(html):
    """The table's text as read: no tags, no attributes."""
    table = html.split('data-testid="audit-table"', 1)[1].split("</table>", 1)[0]
    return re.sub(r"<[^>]+>", " ", table)


def test_filters_by_person_object_and_date(client, county_leader, clerk_a, edited, areas):
    client.force_login(county_leader)
    url = reverse("audit_log")
    mine = _rows(client.get(url, {"person": "clerk_a"}).content.decode())
    assert mine and all("张丽" in r for r in mine)
    assert not [
        r
        for r in _rows(client.get(url, {"person": "nobody-here"}).content.decode())
        if "王大明" in r
    ]
    history = _rows(
        client.get(
            url, {"object_type": "liaison.household", "object_id": str(edited.pk)}
        ).content.decode()
    )
    assert len(history) == 2 and all("王大明" in r for r in history)
    today = timezone.localdate()
    same = {"object_type": "liaison.household", "object_id": edited.pk}
    assert len(_rows(client.get(url, {"since": today.isoformat(), **same}).content.decode())) == 2
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert "暂无变更记录" in client.get(url, {"since": tomorrow, **same}).content.decode()
    yesterday = (today - timedelta(days=1)).isoformat()
    assert "暂无变更记录" in client.get(url, {"until": yesterday, **same}).content.decode()


def test_matter_status_changes_show_the_status_labels(client, county_leader, areas):
    event = AuditEvent.objects.create(
        actor_name="system",
        action="matter.start_work",
        object_type="grievances.matter",
        object_id="7",
        area_path=areas["ta"].path,
        data={"number": "530802-2026-000007", "from": "registered", "to": "in_progress"},
    )
    client.force_login(county_leader)
    rows = _rows(client.get(reverse("audit_log")).content.decode())
    row = next(r for r in rows if "530802-2026-000007" in r)
    assert "开始办理事项" in row and "系统" in row
    assert re.search(r"状态：\s*已登记\s*→\s*办理中", row), row
    assert event.pk


def test_the_help_page_puts_the_users_own_role_first(client, clerk_a, county_leader):
    client.force_login(clerk_a)
    html = client.get(reverse("help")).content.decode()
    assert html.index('data-testid="help-clerk"') < html.index('data-testid="help-cadre"')
    assert "使用说明" in html and "Ctrl+Enter" in html
    client.force_login(county_leader)
    html = client.get(reverse("help")).content.decode()
    assert html.index('data-testid="help-leader"') < html.index('data-testid="help-clerk"')


def test_the_change_log_exports_what_the_filter_shows_in_words(client, county_leader, edited):
    import io

    from openpyxl import load_workbook

    client.force_login(county_leader)
    response = client.get(
        reverse("audit_export"), {"object_type": "liaison.household", "object_id": edited.pk}
    )
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == 3  # the header, the edit, the registration
    edit = next(r for r in rows if r[2] == "修改农户信息")
    assert "张丽" in edit[1] and "家庭人口：4 → 5" in edit[4]
    assert AuditEvent.objects.filter(action="list.exported", data__what="change_log").exists()
