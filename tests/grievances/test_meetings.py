"""Joint meetings: the four fixes move the matter, the schedule says which meeting is due."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from foundation.models import AuditEvent
from grievances.models import JointMeeting, Matter, MatterEvent, MeetingMatter, months_before
from grievances.services import MatterError, resolve, start_work
from grievances.services.meetings import decide_matter, record_joint_meeting
from responsibility_areas.models import Area
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=False):
        yield


@pytest.fixture
def meeting(areas, township_leader):
    return record_joint_meeting(
        actor=township_leader,
        area=areas["ta"],
        held_on=date(2026, 3, 9),
        chair="王镇长",
        attendees="镇党委、各村支书",
    )


def test_a_decision_with_the_four_fixes_makes_the_leader_handler_and_the_limit_the_deadline(
    ledger, make_matter, meeting, township_leader
):
    matter = make_matter(received_on=date(2026, 3, 1))
    item = decide_matter(
        actor=township_leader,
        meeting=meeting,
        matter=matter,
        decision="镇里统筹修复水管",
        lead_cadre=ledger.township_head,
        people="水务站两人",
        plan="先接临时水管，再换主管",
        time_limit=date(2026, 4, 30),
        version=matter.version,
    )
    matter.refresh_from_db()
    assert (matter.handler, matter.deadline, matter.owner) == (
        ledger.township_head,
        date(2026, 4, 30),
        ledger.owner,
    )
    assert matter.version == 2 and item.matter == matter
    event = MatterEvent.objects.get(matter=matter, action="meeting_decision")
    assert event.actor == township_leader and event.note == "镇里统筹修复水管"
    assert event.data["deadline_from"] == "2026-03-16" and event.data["deadline_to"] == "2026-04-30"
    assert event.data["handler_from"] == "杨村" and event.data["handler_to"] == "王镇"
    assert event.from_status == event.to_status == matter.status
    assert AuditEvent.objects.filter(
        action="matter.meeting_decision", actor=township_leader
    ).exists()


def test_a_decision_without_a_leader_keeps_the_handler_and_sets_the_deadline(
    ledger, make_matter, meeting, township_leader
):
    matter = make_matter(received_on=date(2026, 3, 1))
    decide_matter(
        actor=township_leader,
        meeting=meeting,
        matter=matter,
        decision="村里继续办",
        plan="下周施工",
        time_limit=date(2026, 3, 20),
    )
    matter.refresh_from_db()
    assert (matter.handler, matter.deadline) == (ledger.village_head, date(2026, 3, 20))


def test_a_decision_on_a_matter_changed_meanwhile_is_refused_and_leaves_nothing(
    make_matter, meeting, township_leader
):
    matter = make_matter(received_on=date(2026, 3, 1))
    seen = matter.version
    start_work(actor=None, matter=matter)  # someone else moved it since the page was read
    with pytest.raises(MatterError) as err:
        decide_matter(
            actor=township_leader,
            meeting=meeting,
            matter=matter,
            decision="统筹",
            plan="方案",
            time_limit=date(2026, 4, 1),
            version=seen,
        )
    assert err.value.code == "stale"
    assert not MeetingMatter.objects.exists()
    assert Matter.objects.get(pk=matter.pk).deadline == date(2026, 3, 16)


def test_a_resolved_matter_is_not_decided_again(make_matter, meeting, township_leader):
    matter = resolve(
        actor=None, matter=make_matter(received_on=date(2026, 3, 1)), resolution="已修好"
    )
    with pytest.raises(MatterError) as err:
        decide_matter(
            actor=township_leader,
            meeting=meeting,
            matter=matter,
            decision="统筹",
            plan="方案",
            time_limit=date(2026, 4, 1),
        )
    assert err.value.code == "not_open"


def test_a_matter_of_the_sibling_township_is_not_decided_at_this_meeting(
    areas, make_matter, meeting, township_leader
):
    matter = make_matter(
        applicant=make_household(areas["vb"], name="钱邻"), received_on=date(2026, 3, 1)
    )
    with pytest.raises(MatterError) as err:
        decide_matter(
            actor=township_leader,
            meeting=meeting,
            matter=matter,
            decision="统筹",
            plan="方案",
            time_limit=date(2026, 4, 1),
        )
    assert err.value.code == "not_in_area"


def test_the_time_limit_is_required_not_before_the_meeting(make_matter, meeting, township_leader):
    matter = make_matter(received_on=date(2026, 3, 1))
    with pytest.raises(MatterError) as err:
        decide_matter(
            actor=township_leader,
            meeting=meeting,
            matter=matter,
            decision="统筹",
            plan="方案",
            time_limit=date(2026, 3, 1),
        )
    assert err.value.field == "time_limit"


def test_meetings_are_held_by_townships_and_counties_in_scope(areas, clerk_b_sibling, clerk_a):
    with pytest.raises(MatterError) as err:
        record_joint_meeting(actor=clerk_a, area=areas["va"], held_on=date(2026, 3, 1), chair="张")
    assert err.value.code == "not_meeting_area"
    with pytest.raises(MatterError) as err:
        record_joint_meeting(
            actor=clerk_b_sibling, area=areas["ta"], held_on=date(2026, 3, 1), chair="陈"
        )
    assert err.value.code == "out_of_scope"
    assert not JointMeeting.objects.exists()


def test_months_before_clamps_to_the_months_last_day():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 2) == date(2025, 11, 15)


def _due_names(today):
    return set(
        JointMeeting.objects.due_areas(Area.objects.all(), today).values_list("name", flat=True)
    )


def test_township_is_due_a_month_and_county_two_months_after_the_last_meeting(areas):
    for key in ("ta", "ca"):
        record_joint_meeting(actor=None, area=areas[key], held_on=date(2026, 1, 15), chair="主持")
    never_held = {"南屏镇", "宁洱县", "宁洱镇"}
    assert _due_names(date(2026, 2, 14)) == never_held
    assert _due_names(date(2026, 2, 15)) == never_held | {"思茅镇"}
    assert _due_names(date(2026, 3, 14)) == never_held | {"思茅镇"}
    assert _due_names(date(2026, 3, 15)) == never_held | {"思茅镇", "思茅区"}


def test_only_the_latest_meeting_counts(areas):
    record_joint_meeting(actor=None, area=areas["ta"], held_on=date(2026, 1, 15), chair="主持")
    record_joint_meeting(actor=None, area=areas["ta"], held_on=date(2026, 3, 1), chair="主持")
    assert "思茅镇" not in _due_names(date(2026, 3, 10))


def test_the_interval_is_configurable(areas, settings):
    settings.JOINT_MEETING_INTERVAL_MONTHS = {"county": 3}
    record_joint_meeting(actor=None, area=areas["ca"], held_on=date(2026, 1, 15), chair="主持")
    assert "思茅区" not in _due_names(date(2026, 3, 15))
    assert "思茅区" in _due_names(date(2026, 4, 15))


def test_the_leader_sees_meeting_due_for_their_subtree_only(client, areas, township_leader):
    record_joint_meeting(actor=None, area=areas["ta"], held_on=date(2026, 1, 15), chair="主持")
    client.force_login(township_leader)
    page = client.get(reverse("meetings:list")).content.decode()
    assert 'data-testid="meeting-due"' in page and "思茅镇" in page
    assert "南屏镇" not in page and "思茅区" not in page


def test_a_county_leader_sees_every_township_due(client, areas, county_leader):
    record_joint_meeting(actor=None, area=areas["ta"], held_on=date(2026, 3, 1), chair="主持")
    client.force_login(county_leader)
    response = client.get(reverse("meetings:list"))
    due = {a.name for a in response.context["due"]}
    assert due == {"南屏镇", "思茅区"}


def test_the_meeting_page_records_a_decision(client, ledger, make_matter, meeting, township_leader):
    matter = make_matter(received_on=date(2026, 3, 1))
    client.force_login(township_leader)
    response = client.post(
        reverse("meetings:detail", args=[meeting.pk]),
        {
            "matter": matter.number,
            "decision": "镇里统筹",
            "lead_cadre": ledger.township_head.pk,
            "people": "水务站",
            "plan": "换管",
            "time_limit": "2026-04-15",
        },
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert (matter.handler, matter.deadline) == (ledger.township_head, date(2026, 4, 15))
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert matter.number in page and "换管" in page


def test_the_meeting_page_keeps_what_was_typed_on_a_refusal(
    client, make_matter, meeting, township_leader
):
    matter = make_matter(received_on=date(2026, 3, 1))
    client.force_login(township_leader)
    response = client.post(
        reverse("meetings:detail", args=[meeting.pk]),
        {
            "matter": matter.number,
            "decision": "镇里统筹",
            "plan": "换管",
            "time_limit": "2026-03-01",
        },
    )
    assert response.status_code == 200 and "镇里统筹" in response.content.decode()
    assert not MeetingMatter.objects.exists()


def test_a_meeting_is_recorded_through_the_form(client, areas, township_leader):
    client.force_login(township_leader)
    response = client.post(
        reverse("meetings:new"),
        {
            "area": areas["ta"].pk,
            "held_on": "2026-03-09",
            "chair": "王镇长",
            "attendees": "各村支书",
        },
    )
    assert response.status_code == 302
    assert JointMeeting.objects.get().area == areas["ta"]


def test_sibling_township_cannot_see_the_meeting(client, meeting, clerk_b_sibling):
    client.force_login(clerk_b_sibling)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("meetings:detail", args=[meeting.pk]), {}).status_code == 404
    page = client.get(reverse("meetings:list")).content.decode()
    assert "王镇长" not in page


def test_the_meetings_list_filters_by_date_and_exports_what_it_shows(
    client, meeting, township_leader
):
    import io

    from openpyxl import load_workbook

    client.force_login(township_leader)
    response = client.get(reverse("meetings:export"), {"since": meeting.held_on})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == 2 and rows[1][1] == meeting.area.name
    page = client.get(reverse("meetings:list"), {"since": "2099-01-01"})
    assert list(page.context["page"]) == []
    assert AuditEvent.objects.filter(action="list.exported", data__what="meetings").exists()
