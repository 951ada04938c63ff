"""Ledger pages: scoped list with filters and export, a matter's page with its timeline and
actions, filing, the monthly close-out, the monthly ledger and notifications."""

import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from foundation.models import AuditEvent
from grievances.models import LedgerMonth, Matter, MatterStatus, Notification
from grievances.services import resolve, start_work
from liaison.models import MatterKind
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
ID_NUMBER = "530802195803170019"
PHONE = "13800138000"
DANGEROUS = f'=HYPERLINK("http://evil.example/","点我") 身份证{ID_NUMBER} 电话{PHONE}'


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 20, 10, 0, tzinfo=SH), tick=False):
        yield


@pytest.fixture
def sibling_matter(ledger, make_matter):
    household = make_household(ledger.areas["vb"], name="钱邻")
    return make_matter(
        applicant=household, description="南屏镇的事项", received_on=date(2026, 3, 1)
    )


def action_form(response, action):
    return next(a["form"] for a in response.context["actions"] if a["action"] == action)


def zh(message):
    with translation.override("zh-hans"):
        return gettext(message)


def test_ledger_list_is_scoped_and_filters_by_status_kind_owner_and_overdue(
    client, clerk_a, ledger, make_matter, sibling_matter
):
    late = make_matter(description="村道塌方", received_on=date(2026, 2, 1))  # due 2026-02-16
    working = make_matter(
        description="低保申请", kind=MatterKind.SUGGESTION, received_on=date(2026, 3, 10)
    )
    start_work(actor=None, matter=working)
    client.force_login(clerk_a)
    url = reverse("grievances:list")

    page = client.get(url).content.decode()
    assert late.number in page and working.number in page and sibling_matter.number not in page
    assert re.search(
        r'<tr class="overdue" data-overdue="1">\s*<td class="code"><a href="[^"]+">' + late.number,
        page,
    )

    def numbers(**params):
        return {m.number for m in client.get(url, params).context["page"]}

    assert numbers(status="in_progress") == {working.number}
    assert numbers(kind="suggestion") == {working.number}
    assert numbers(overdue="true") == {late.number}
    assert numbers(owner=ledger.owner.pk) == {late.number, working.number}
    assert numbers(q="塌方") == {late.number}
    assert numbers(q=working.number[-6:]) == {working.number}
    assert numbers(level="county") == set()
    counts = {c["value"]: c["n"] for c in client.get(url, {"kind": "difficulty"}).context["counts"]}
    assert counts["registered"] == 1 and counts["in_progress"] == 0


def test_sibling_township_cannot_open_a_matter_page_or_act_on_it(client, clerk_a, sibling_matter):
    client.force_login(clerk_a)
    assert client.get(reverse("grievances:detail", args=[sibling_matter.pk])).status_code == 404
    response = client.post(
        reverse("grievances:action", args=[sibling_matter.pk, "start_work"]),
        {"start_work-version": 1},
    )
    assert response.status_code == 404
    assert Matter.objects.get(pk=sibling_matter.pk).status == MatterStatus.REGISTERED


def test_matter_page_shows_owner_and_handler_apart_deadline_and_the_whole_timeline(
    client, clerk_a, ledger, make_matter
):
    matter = make_matter(actor=clerk_a, received_on=date(2026, 3, 10))  # village: due 2026-03-25
    start_work(actor=clerk_a, matter=matter, note="已联系水务站")
    client.force_login(clerk_a)
    response = client.get(reverse("grievances:detail", args=[matter.pk]))
    page = response.content.decode()
    assert "主办责任人" in page and "当前承办人" in page
    assert "刘强" in page and "杨村" in page  # owner and handler, apart
    assert "2026年3月25日" in page and "5" in page
    steps = [row["event"].action for row in response.context["timeline"]]
    assert steps == ["filed", "start_work"]
    assert "已联系水务站" in page
    actions = [a["action"] for a in response.context["actions"]]
    assert "resolve" in actions and "explain" in actions and "start_work" not in actions
    assert "close_out" not in actions  # only for a leader, and only once resolved


def test_start_work_then_resolve_through_the_page(client, clerk_a, make_matter):
    matter = make_matter(received_on=date(2026, 3, 10))
    client.force_login(clerk_a)
    url = reverse("grievances:action", args=[matter.pk, "start_work"])
    assert client.post(url, {"start_work-version": matter.version}).status_code == 302
    matter.refresh_from_db()
    response = client.post(
        reverse("grievances:action", args=[matter.pk, "resolve"]),
        {"resolve-version": matter.version, "resolve-resolution": "已更换水管"},
        follow=True,
    )
    matter.refresh_from_db()
    assert matter.status == MatterStatus.RESOLVED and matter.resolution == "已更换水管"
    assert "已更换水管" in response.content.decode()


def test_a_stale_page_is_refused_and_nothing_is_overwritten(client, clerk_a, make_matter):
    matter = make_matter(received_on=date(2026, 3, 10))
    seen = matter.version
    start_work(actor=None, matter=matter)  # a second clerk saved first
    client.force_login(clerk_a)
    response = client.post(
        reverse("grievances:action", args=[matter.pk, "resolve"]),
        {"resolve-version": seen, "resolve-resolution": "我填写的解决情况"},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert zh("This matter was changed by someone else; reload it and try again.") in page
    assert "我填写的解决情况" in page  # typed text kept
    matter.refresh_from_db()
    assert matter.status == MatterStatus.IN_PROGRESS and matter.resolution == ""


def test_an_illegal_transition_shows_the_services_message(client, clerk_a, make_matter):
    matter = make_matter(received_on=date(2026, 3, 10))
    client.force_login(clerk_a)
    response = client.post(
        reverse("grievances:action", args=[matter.pk, "reopen"]),
        {"reopen-version": matter.version, "reopen-reason": "群众不满意"},
    )
    assert response.status_code == 409
    errors = action_form(response, "reopen").non_field_errors()
    assert errors and matter.get_status_display() in errors[0]
    assert Matter.objects.get(pk=matter.pk).status == MatterStatus.REGISTERED


def test_explanation_is_required_and_a_refused_extension_keeps_the_reason(
    client, clerk_a, township_leader, make_matter
):
    matter = make_matter(received_on=date(2026, 3, 10))
    client.force_login(clerk_a)
    response = client.post(
        reverse("grievances:action", args=[matter.pk, "explain"]),
        {"explain-version": matter.version, "explain-explanation": "  "},
    )
    assert response.status_code == 200 and action_form(response, "explain").errors
    client.force_login(township_leader)
    response = client.post(
        reverse("grievances:action", args=[matter.pk, "extend_deadline"]),
        {
            "extend_deadline-version": matter.version,
            "extend_deadline-deadline": "2026-03-01",
            "extend_deadline-reason": "需协调县水务局",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "需协调县水务局" in page
    assert action_form(response, "extend_deadline").errors["deadline"]
    assert Matter.objects.get(pk=matter.pk).deadline == date(2026, 3, 25)


def test_file_a_matter_for_a_household_owned_by_a_cadre_in_scope(client, clerk_a, ledger):
    client.force_login(clerk_a)
    search = client.get(reverse("grievances:household_search"), {"q": "王"}).content.decode()
    assert f'value="{ledger.household.pk}"' in search
    response = client.post(
        reverse("grievances:new"),
        {
            "applicant": ledger.household.pk,
            "owner": ledger.owner.pk,
            "kind": "difficulty",
            "description": "房屋漏雨",
            "source": "home_visit",
            "received_on": "2026-03-19",
        },
    )
    matter = Matter.objects.get()
    assert response.status_code == 302 and response.url == matter.get_absolute_url()
    assert matter.applicant_name == "王大" and matter.owner == ledger.owner
    assert matter.area == ledger.areas["va"] and matter.created_by == clerk_a


def test_filing_without_an_applicant_keeps_what_was_typed(client, clerk_a, ledger):
    client.force_login(clerk_a)
    response = client.post(
        reverse("grievances:new"),
        {
            "owner": ledger.owner.pk,
            "kind": "difficulty",
            "description": "房屋漏雨",
            "source": "home_visit",
            "received_on": "2026-03-19",
        },
    )
    assert response.status_code == 200 and "房屋漏雨" in response.content.decode()
    assert response.context["form"].errors["applicant_name"]
    assert not Matter.objects.exists()


def _resolved(make_matter, description):
    matter = make_matter(received_on=date(2026, 3, 2), description=description)
    return resolve(actor=None, matter=matter, resolution="已解决")


def test_leader_closes_out_the_months_matters_in_bulk_and_a_bad_row_keeps_its_error(
    client, township_leader, make_matter
):
    first, second, third = (_resolved(make_matter, text) for text in ("甲事", "乙事", "丙事"))
    client.force_login(township_leader)
    url = reverse("grievances:close_out")
    page = client.get(url, {"month": "2026-03"}).content.decode()
    assert first.number in page and second.number in page
    response = client.post(
        url,
        {
            "month": "2026-03",
            "pick": [first.pk, second.pk, third.pk],
            **{f"version-{m.pk}": m.version for m in (first, second, third)},
            f"feedback-{first.pk}": "水通了，很满意",
            f"satisfaction-{first.pk}": "satisfied",
            f"feedback-{second.pk}": "乙户说还行",
            f"satisfaction-{second.pk}": "",
            f"feedback-{third.pk}": "仍未解决",
            f"satisfaction-{third.pk}": "dissatisfied",
        },
    )
    assert response.status_code == 200
    statuses = dict(Matter.objects.values_list("pk", "status"))
    assert statuses[first.pk] == MatterStatus.CLOSED_OUT
    assert statuses[second.pk] == MatterStatus.RESOLVED
    assert statuses[third.pk] == MatterStatus.IN_PROGRESS  # dissatisfied: reopened
    rows = {row["matter"].pk: row for row in response.context["rows"]}
    assert set(rows) == {second.pk}
    assert rows[second.pk]["error"] and rows[second.pk]["feedback"] == "乙户说还行"


def test_a_clerk_on_the_close_out_screen_records_feedback_for_the_leader(
    client, clerk_a, make_matter
):
    matter = _resolved(make_matter, "甲事")
    client.force_login(clerk_a)
    response = client.post(
        reverse("grievances:close_out"),
        {
            "month": "2026-03",
            "pick": [matter.pk],
            f"version-{matter.pk}": matter.version,
            f"feedback-{matter.pk}": "满意",
            f"satisfaction-{matter.pk}": "satisfied",
        },
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.status == MatterStatus.RESOLVED and matter.feedback == "满意"


def test_sibling_township_does_not_see_the_matter_on_close_out(
    client, clerk_b_sibling, make_matter
):
    matter = _resolved(make_matter, "甲事")
    client.force_login(clerk_b_sibling)
    response = client.post(
        reverse("grievances:close_out"),
        {
            "month": "2026-03",
            "pick": [matter.pk],
            f"version-{matter.pk}": matter.version,
            f"feedback-{matter.pk}": "满意",
            f"satisfaction-{matter.pk}": "satisfied",
        },
    )
    assert response.status_code == 302
    assert Matter.objects.get(pk=matter.pk).status == MatterStatus.RESOLVED
    assert matter.number not in client.get(reverse("grievances:close_out")).content.decode()


def test_export_neutralises_formulas_and_masks_id_and_phone_numbers(
    client, clerk_a, make_matter, sibling_matter
):
    matter = make_matter(
        description=DANGEROUS, received_on=date(2026, 3, 10), applicant_name="=cmd|' /C calc'!A0"
    )
    client.force_login(clerk_a)
    response = client.get(reverse("grievances:export"), {"q": "HYPERLINK"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and "主办责任人" in rows[0] and "当前承办人" in rows[0]
    assert len(rows) == 2 and rows[1][0] == matter.number
    cells = [c for c in sheet[2]]
    description = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert description.value.startswith("'=HYPERLINK(") and description.data_type == "s"
    assert all(c.data_type != "f" for c in cells)
    text = " ".join(str(v) for row in rows for v in row)
    assert ID_NUMBER not in text and PHONE not in text and "530802********0019" in text
    assert sibling_matter.number not in text
    # The place in three columns; an overdue row is filled; the export is recorded.
    header = rows[0]
    place = {h: v for h, v in zip(header, rows[1], strict=True) if h in ("乡（镇、街道）", "村")}
    assert place == {"乡（镇、街道）": "思茅镇", "村": "甲村"}
    assert cells[0].fill.fgColor.rgb.endswith("FDE2E1") == matter.is_overdue()
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert AuditEvent.objects.filter(action="list.exported", data__what="ledger").exists()


def test_ledger_pages_never_show_a_full_id_number_or_phone(client, clerk_a, make_matter):
    matter = make_matter(description=DANGEROUS, received_on=date(2026, 3, 10))
    client.force_login(clerk_a)
    for url in (reverse("grievances:list"), matter.get_absolute_url()):
        page = client.get(url).content.decode()
        assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", page), url
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", page), url


def test_monthly_ledger_shows_the_areas_children_and_a_leader_can_recompute(
    client, clerk_a, township_leader, make_matter
):
    _resolved(make_matter, "甲事")
    client.force_login(clerk_a)
    assert client.post(reverse("grievances:rerun_rollup"), {"month": "2026-03"}).status_code == 403
    client.force_login(township_leader)
    response = client.post(reverse("grievances:rerun_rollup"), {"month": "2026-03"}, follow=True)
    assert LedgerMonth.objects.filter(month=date(2026, 3, 1)).exists()
    rows = response.context["rows"]
    assert [r["area"].name for r in rows] == ["甲村"] and rows[0]["resolved"] == 1
    assert response.context["total"]["area"].name == "思茅镇"
    assert "2026年3月" in response.content.decode()


def test_notifications_are_listed_for_the_users_cadre_and_marked_read(client, ledger, make_matter):
    matter = make_matter(received_on=date(2026, 3, 10))
    note = Notification.objects.create(
        cadre=ledger.owner, matter=matter, kind="reminder", text="事项即将到期"
    )
    Notification.objects.create(cadre=ledger.village_head, kind="reminder", text="别人的通知")
    client.force_login(ledger.owner.user)
    page = client.get(reverse("grievances:notifications")).content.decode()
    assert "事项即将到期" in page and "别人的通知" not in page
    client.post(reverse("grievances:notifications_read"), {"id": [note.pk]})
    note.refresh_from_db()
    assert note.read_at is not None
