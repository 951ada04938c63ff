"""Words a clerk reads (issue 23 §5): no internal code or English on a zh-hans page.

Before: the matter history and the printed 交办单 showed "supervision_notice"; an escalation
read "(new deadline 2027-01-06)"; the change log "统计期：month"; the cadre rank column said
名次; the dashboard's "On schedule" read 按期召开; a supervisor's name came out "敏 赵".
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from foundation import audit
from grievances.models import Matter
from grievances.services import escalate_overdue_matters
from grievances.services.meetings import issue_supervision_notice, respond_to_notice
from responsibility_areas.models import Role
from tests.conftest import _person

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 9, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield


def _page(user, url) -> str:
    """The words the page shows (markup and its attributes left out)."""
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_a_matters_history_and_its_slip_read_in_chinese(ledger, make_matter, areas):
    supervisor = _person(
        "supervisor", areas["ca"], Role.SUPERVISOR, last_name="赵", first_name="敏"
    )
    matter = make_matter(received_on=date(2026, 3, 2))
    notice = issue_supervision_notice(
        actor=supervisor, matter=matter, text="请说明进展", respond_by=date(2026, 3, 12)
    )
    assert notice.issuer_name == "赵敏"  # family name first, no space
    respond_to_notice(actor=ledger.village_head.user, notice=notice, response="已安排维修")
    late = make_matter(received_on=date(2026, 1, 5))
    Matter.objects.filter(pk=late.pk).update(deadline=date(2026, 3, 6))
    assert escalate_overdue_matters(now=MONDAY) >= 1
    leader = _person("county_leader", areas["ca"], Role.COUNTY_LEADER, last_name="李")
    for target in (matter, late):
        for url in (target.get_absolute_url(), target.get_absolute_url() + "print/"):
            html = _page(leader, url)
            for code in ("supervision_notice", "supervision_response", "new deadline"):
                assert code not in html, (url, code)
    html = _page(leader, matter.get_absolute_url())
    assert "发出督办通知" in html and "答复督办通知" in html
    html = _page(leader, late.get_absolute_url())
    assert "新办理期限" in html and "年" in html


def test_codes_in_the_change_log_and_the_tables_read_as_words(areas, county_leader):
    audit.record(
        actor=county_leader,
        action="dashboard.exported",
        area_path=areas["ca"].path,
        data={"period": "month"},
    )
    html = _page(county_leader, "/audit/")
    assert "本月" in html and "统计期：month" not in html
    assert "职级" in _page(county_leader, "/cadres/")


def test_an_address_opened_with_the_wrong_method_is_a_page_in_chinese(client, clerk_a):
    """GET /logout/ (a step done with its button) gave Chrome's English "HTTP ERROR 405"."""
    client.force_login(clerk_a)
    response = client.get("/logout/")
    assert response.status_code == 405 and "POST" in response["Allow"]
    html = response.content.decode()
    assert "按钮" in html and "HTTP ERROR" not in html
    assert client.get("/").status_code == 200  # still signed in: nothing was changed


def test_a_report_taken_in_names_who_took_it_and_is_a_difficulty_by_default(ledger, client):
    """Before: a street light filed as 干部作风 (the first option) by 系统."""
    from grievances.models import MatterEvent
    from grievances.services.reports import accept_public_report, receive_public_report
    from liaison.models import PairingKind
    from liaison.services import pair_household

    owner = ledger.owner
    pair_household(
        actor=None, cadre=owner, household=ledger.household, kind=PairingKind.TERRITORIAL
    )
    report, _code = receive_public_report(household=ledger.household, description="路灯坏了")
    client.force_login(owner.user)
    page = client.get("/ledger/reports/").content.decode()
    assert re.search(r'<option value="difficulty" selected>', page)
    matter = accept_public_report(actor=owner.user, report=report, topic="路灯")
    filed = MatterEvent.objects.get(matter=matter, action="filed")
    assert filed.actor == owner.user and filed.actor_name == owner.user.username
    assert matter.kind == "difficulty" and matter.topic == "路灯"


def test_exports_have_chinese_file_names(county_leader, areas):
    """Before: ledger-20261207.xlsx and dashboard-530802-month.xlsx beside Chinese names."""
    from urllib.parse import quote

    client = Client()
    client.force_login(county_leader)
    ledger = client.get("/ledger/export.xlsx")
    assert ledger.status_code == 200 and quote("民情台账") in ledger["Content-Disposition"]
    board = client.get(f"/dashboard/{areas['ca'].pk}/export.xlsx")
    assert board.status_code == 200 and quote("工作看板") in board["Content-Disposition"]


def test_the_ledger_list_marks_deadlines_red_and_amber(ledger, make_matter, county_leader):
    """Before: only 待办 had the red and amber marks."""
    from datetime import timedelta

    late = make_matter(received_on=date(2026, 2, 1))
    Matter.objects.filter(pk=late.pk).update(deadline=date(2026, 3, 6))
    soon = make_matter(received_on=date(2026, 3, 2))
    Matter.objects.filter(pk=soon.pk).update(deadline=date(2026, 3, 10))
    calm = make_matter(received_on=date(2026, 3, 2))
    Matter.objects.filter(pk=calm.pk).update(deadline=date(2026, 3, 9) + timedelta(days=30))
    client = Client()
    client.force_login(county_leader)
    html = client.get("/ledger/").content.decode()
    rows = {
        m.number: re.search(rf"{m.number}.*?</tr>", html, re.S).group(0) for m in (late, soon, calm)
    }
    assert 'class="mark overdue"' in rows[late.number]
    assert 'class="mark due-soon"' in rows[soon.number]
    assert "mark" not in rows[calm.number]


def test_a_households_page_is_its_file(ledger, make_matter, county_leader):
    """Issue 23 §6: its matters in the ledger, how often it answered (never what), and its
    village's contact cards — before, neither its matters nor its card."""
    matter = make_matter(received_on=date(2026, 3, 2))
    client = Client()
    client.force_login(county_leader)
    response = client.get(ledger.household.get_absolute_url())
    html = response.content.decode()
    assert matter.number in html and 'data-testid="household-card"' in html
    assert client.get(f"/cards/village/{ledger.household.area_id}/").status_code == 200
