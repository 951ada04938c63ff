"""Supervision notices: issued by a supervisor of the area, acknowledged and answered, overdue flagged."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from foundation.models import AuditEvent
from grievances.models import MatterEvent, NoticeStatus, SupervisionNotice
from grievances.services import MatterError
from grievances.services.meetings import (
    acknowledge_notice,
    issue_supervision_notice,
    respond_to_notice,
)
from responsibility_areas.models import Role
from tests.conftest import _person

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=False) as traveller:
        yield traveller


@pytest.fixture
def supervisor(areas):
    return _person("supervisor", areas["ca"], Role.SUPERVISOR, last_name="纪")


@pytest.fixture
def notice(ledger, make_matter, supervisor):
    matter = make_matter(received_on=date(2026, 3, 1))
    return issue_supervision_notice(
        actor=supervisor, matter=matter, text="请说明进展", respond_by=date(2026, 3, 12)
    )


def test_a_notice_about_a_matter_goes_to_its_handler_and_enters_its_timeline(
    ledger, notice, supervisor
):
    assert notice.recipient == ledger.village_head and notice.status == NoticeStatus.ISSUED
    assert notice.area == ledger.areas["va"] and notice.township == ledger.areas["ta"]
    event = MatterEvent.objects.get(matter=notice.matter, action="supervision_notice")
    assert event.actor == supervisor and event.data["respond_by"] == "2026-03-12"
    assert AuditEvent.objects.filter(action="supervision_notice.issued", actor=supervisor).exists()


def test_a_notice_about_a_cadre_goes_to_that_cadre(ledger, supervisor):
    notice = issue_supervision_notice(
        actor=supervisor, recipient=ledger.owner, text="走访次数不足", respond_by=date(2026, 3, 20)
    )
    assert notice.matter is None and notice.area == ledger.owner.area


def test_only_a_supervisor_over_the_area_issues_notices(ledger, make_matter, clerk_a, areas):
    matter = make_matter(received_on=date(2026, 3, 1))
    other_county = _person("supervisor_b", areas["cb"], Role.SUPERVISOR)
    for actor in (clerk_a, other_county):
        with pytest.raises(MatterError) as err:
            issue_supervision_notice(
                actor=actor, matter=matter, text="督办", respond_by=date(2026, 3, 20)
            )
        assert err.value.code == "not_supervisor"
    assert not SupervisionNotice.objects.exists()


def test_the_recipient_acknowledges_then_responds(ledger, notice):
    head = ledger.village_head.user
    notice = acknowledge_notice(actor=head, notice=notice)
    assert notice.status == NoticeStatus.ACKNOWLEDGED and notice.acknowledged_at is not None
    assert acknowledge_notice(actor=head, notice=notice).acknowledged_at == notice.acknowledged_at
    notice = respond_to_notice(actor=head, notice=notice, response="已组织施工，3月15日完成")
    assert notice.status == NoticeStatus.RESPONDED and notice.response.startswith("已组织施工")
    assert AuditEvent.objects.filter(action="supervision_notice.responded", actor=head).count() == 1
    assert MatterEvent.objects.filter(matter=notice.matter, action="supervision_response").exists()
    with pytest.raises(MatterError) as err:
        respond_to_notice(actor=head, notice=notice, response="再答一次")
    assert err.value.code == "already_responded"


def test_responding_acknowledges_too(ledger, notice):
    notice = respond_to_notice(actor=ledger.village_head.user, notice=notice, response="已办")
    assert notice.acknowledged_at == notice.responded_at


def test_only_the_recipient_answers(ledger, notice, supervisor):
    for actor in (supervisor, ledger.owner.user):
        with pytest.raises(MatterError) as err:
            respond_to_notice(actor=actor, notice=notice, response="代答")
        assert err.value.code == "not_recipient"


def test_an_empty_response_is_refused(ledger, notice):
    with pytest.raises(MatterError) as err:
        respond_to_notice(actor=ledger.village_head.user, notice=notice, response="  ")
    assert err.value.field == "response"


def test_unanswered_notices_past_their_deadline_are_overdue(ledger, notice, supervisor, frozen):
    answered = issue_supervision_notice(
        actor=supervisor, recipient=ledger.owner, text="说明", respond_by=date(2026, 3, 11)
    )
    respond_to_notice(actor=ledger.owner.user, notice=answered, response="已说明")
    assert list(SupervisionNotice.objects.overdue(date(2026, 3, 12))) == []
    assert list(SupervisionNotice.objects.overdue(date(2026, 3, 13))) == [notice]
    frozen.move_to(datetime(2026, 3, 13, 10, 0, tzinfo=SH))
    assert notice.is_overdue() and not answered.is_overdue()
    assert list(SupervisionNotice.objects.overdue()) == [notice]


def test_a_deadline_in_the_past_is_refused(ledger, supervisor):
    with pytest.raises(MatterError) as err:
        issue_supervision_notice(
            actor=supervisor, recipient=ledger.owner, text="说明", respond_by=date(2026, 3, 9)
        )
    assert err.value.field == "respond_by"


def test_supervisor_issues_through_the_page_and_sees_the_issued_list(
    client, ledger, make_matter, supervisor
):
    matter = make_matter(received_on=date(2026, 3, 1))
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:new"),
        {"matter": matter.number, "text": "限期答复", "respond_by": "2026-03-12"},
    )
    assert response.status_code == 302
    page = client.get(reverse("supervision:list"), {"box": "issued"}).content.decode()
    assert "限期答复" in page and "杨村" in page


def test_the_recipient_sees_the_notice_flagged_overdue_and_answers_it(
    client, ledger, notice, frozen
):
    frozen.move_to(datetime(2026, 3, 13, 10, 0, tzinfo=SH))
    client.force_login(ledger.village_head.user)
    page = client.get(reverse("supervision:list")).content.decode()
    assert "请说明进展" in page and 'data-testid="overdue-count"' in page
    detail = client.get(reverse("supervision:detail", args=[notice.pk])).content.decode()
    assert 'data-testid="notice-overdue"' in detail
    assert client.post(reverse("supervision:acknowledge", args=[notice.pk])).status_code == 302
    response = client.post(reverse("supervision:respond", args=[notice.pk]), {"response": "已完成"})
    assert response.status_code == 302
    assert SupervisionNotice.objects.get().status == NoticeStatus.RESPONDED


def test_sibling_township_cannot_see_or_answer_the_notice(client, notice, clerk_b_sibling):
    client.force_login(clerk_b_sibling)
    assert client.get(reverse("supervision:detail", args=[notice.pk])).status_code == 404
    assert (
        client.post(reverse("supervision:respond", args=[notice.pk]), {"response": "x"}).status_code
        == 404
    )
    assert client.post(reverse("supervision:acknowledge", args=[notice.pk])).status_code == 404
    page = client.get(reverse("supervision:list"), {"box": "issued"}).content.decode()
    assert "请说明进展" not in page


def test_the_notices_list_filters_by_date_and_exports_what_it_shows(client, notice, supervisor):
    import io

    from openpyxl import load_workbook

    client.force_login(supervisor)
    day = notice.issued_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    response = client.get(reverse("supervision:export"), {"box": "issued", "since": day})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == 2 and rows[1][2] == notice.recipient.name
    later = client.get(reverse("supervision:list"), {"box": "issued", "since": "2099-01-01"})
    assert list(later.context["page"]) == []
    assert AuditEvent.objects.filter(action="list.exported", data__what="notices").exists()
