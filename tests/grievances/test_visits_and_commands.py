"""Diary matters enter the ledger; each periodic task has a management command twin."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from grievances.models import LedgerMonth, Matter
from grievances.services import ledger_visit_matters
from liaison.models import MatterKind, VisitKind
from liaison.services import record_visit

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 20, 10, 0, tzinfo=SH), tick=False):
        yield


def test_a_diary_matter_not_solved_on_the_spot_enters_the_ledger_owned_by_the_visitor(
    ledger, clerk_a
):
    visit = record_visit(
        actor=clerk_a,
        cadre=ledger.owner,
        visited_on=date(2026, 3, 2),
        kind=VisitKind.HOME,
        households=[ledger.household],
        matters=[
            {
                "household": ledger.household,
                "kind": MatterKind.DIFFICULTY,
                "description": "房屋漏雨",
                "topic": "住房",
            },
            {
                "household": ledger.household,
                "kind": MatterKind.SUGGESTION,
                "description": "路灯坏了",
                "solved_on_spot": True,
                "resolution": "当场报修",
            },
        ],
    )
    matter = Matter.objects.get()
    assert (matter.owner, matter.applicant, matter.source) == (
        ledger.owner,
        ledger.household,
        "home_visit",
    )
    assert matter.received_on == date(2026, 3, 2) and matter.created_by == clerk_a
    assert matter.visit_matter.visit == visit and matter.topic == "住房"
    assert ledger_visit_matters(actor=clerk_a, visit=visit) == []  # already in the ledger


def test_management_commands_run_the_services(ledger, make_matter):
    matter = make_matter(received_on=date(2026, 3, 1))  # village deadline 16 March: overdue
    out = StringIO()
    call_command("escalate_overdue", stdout=out)
    assert "1" in out.getvalue()
    matter.refresh_from_db()
    assert matter.escalation_count == 1
    call_command("rollup_ledger", "--month", "2026-03", stdout=out)
    assert LedgerMonth.objects.filter(month=date(2026, 3, 1), area=ledger.areas["va"]).exists()
    call_command("send_reminders", stdout=out)
    call_command("drain_outbox", stdout=out)


def test_send_reminders_command_defers_at_night(ledger):
    out = StringIO()
    with time_machine.travel(datetime(2026, 3, 20, 23, 0, tzinfo=SH), tick=False):
        call_command("send_reminders", stdout=out)
    assert "2026-03-23 09:00" in out.getvalue()  # Friday night -> Monday morning
