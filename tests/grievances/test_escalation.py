"""Escalation of overdue matters: one level up, once per lapse, even with two runs at once."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from grievances.models import Matter, MatterEvent, Notification
from grievances.services import escalate_overdue_matters, extend_deadline, send_deadline_reminders
from grievances.tasks import escalate_overdue

SH = ZoneInfo("Asia/Shanghai")
FILED = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
LATER = datetime(2026, 3, 20, 10, 0, tzinfo=SH)  # past the village's 15 days


def _filed(make_matter, n=1):
    with time_machine.travel(FILED, tick=False):
        return [make_matter() for _ in range(n)]


@pytest.mark.django_db
def test_overdue_matter_is_escalated_one_level_up_once(ledger, make_matter):
    (matter,) = _filed(make_matter)
    with time_machine.travel(LATER, tick=False):
        assert escalate_overdue_matters() == 1
        assert escalate_overdue_matters() == 0  # same lapse: nothing more
        assert escalate_overdue.delay().get() == 0  # the task is the same service
    matter.refresh_from_db()
    assert matter.level == "township" and matter.handling_area == ledger.areas["ta"]
    assert matter.handler == ledger.township_head and matter.owner == ledger.owner
    assert matter.escalation_count == 1 and matter.deadline == date(2026, 4, 19)
    assert matter.status == "registered" and matter.version == 2
    event = MatterEvent.objects.get(matter=matter, action="escalated")
    assert event.data["from_area"] == "甲村" and event.data["to_area"] == "思茅镇"
    notified = set(
        Notification.objects.filter(matter=matter, kind="escalated").values_list(
            "cadre__name", flat=True
        )
    )
    assert notified == {"刘强", "杨村", "王镇"}  # owner, old and new level's responsible
    assert "思茅镇" in Notification.objects.filter(matter=matter).first().text


@pytest.mark.django_db
def test_a_new_lapse_after_an_extension_escalates_again(ledger, make_matter, township_leader):
    (matter,) = _filed(make_matter)
    with time_machine.travel(LATER, tick=False):
        escalate_overdue_matters()
        matter.refresh_from_db()
        extend_deadline(
            actor=township_leader, matter=matter, deadline=date(2026, 4, 25), reason="等资金"
        )
    with time_machine.travel(datetime(2026, 4, 26, 10, 0, tzinfo=SH), tick=False):
        assert escalate_overdue_matters() == 1
        assert escalate_overdue_matters() == 0
    matter.refresh_from_db()
    assert (matter.level, matter.handler, matter.escalation_count) == (
        "county",
        ledger.county_head,
        2,
    )
    assert matter.deadline == date(2026, 6, 25)


@pytest.mark.django_db
def test_escalation_to_a_level_without_responsible_person_leaves_no_handler(ledger, make_matter):
    (matter,) = _filed(make_matter)
    Matter.objects.filter(pk=matter.pk).update(
        handling_area=ledger.areas["ca"],
        handling_path=ledger.areas["ca"].path,
        level="county",
        deadline=date(2026, 3, 10),
    )
    with time_machine.travel(LATER, tick=False):
        assert escalate_overdue_matters() == 1
    matter.refresh_from_db()
    assert (matter.level, matter.handling_area, matter.handler) == (
        "above",
        ledger.areas["c"],
        None,
    )


@pytest.mark.django_db
def test_matters_not_yet_due_or_done_are_left_alone(ledger, make_matter, clerk_a):
    due, done, fresh = _filed(make_matter, 3)
    from grievances.services import resolve

    with time_machine.travel(FILED, tick=False):
        resolve(actor=clerk_a, matter=done, resolution="已办")
    Matter.objects.filter(pk=fresh.pk).update(deadline=date(2026, 3, 20))
    with time_machine.travel(LATER, tick=False):
        assert escalate_overdue_matters() == 1
    assert set(Matter.objects.filter(escalation_count=1).values_list("pk", flat=True)) == {due.pk}


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_escalate_each_lapse_once(ledger, make_matter):
    matters = _filed(make_matter, 6)
    results = []
    with time_machine.travel(LATER, tick=False):
        if connection.vendor == "postgresql":
            barrier = threading.Barrier(2)

            def run():
                barrier.wait()
                try:
                    results.append(escalate_overdue_matters())
                finally:
                    connection.close()

            threads = [threading.Thread(target=run) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        else:  # SQLite has one writer at a time: the runs can only follow each other
            results = [escalate_overdue_matters(), escalate_overdue_matters()]
    assert sum(results) == len(matters)
    assert set(Matter.objects.values_list("escalation_count", flat=True)) == {1}
    assert MatterEvent.objects.filter(action="escalated").count() == len(matters)


@pytest.mark.django_db
def test_reminder_goes_out_once_per_deadline_in_working_hours(ledger, make_matter, township_leader):
    (matter,) = _filed(make_matter)  # deadline 17 March (Tuesday)
    night = datetime(2026, 3, 14, 23, 30, tzinfo=SH)
    with time_machine.travel(night, tick=False):
        assert send_deadline_reminders() == 0  # deferred: nobody is woken at night
    morning = datetime(2026, 3, 16, 9, 0, tzinfo=SH)  # Monday 09:00
    with time_machine.travel(morning, tick=False):
        assert send_deadline_reminders() == 1
        assert send_deadline_reminders() == 0
        reminders = Notification.objects.filter(matter=matter, kind="reminder")
        assert set(reminders.values_list("cadre__name", flat=True)) == {"刘强", "杨村"}
        matter.refresh_from_db()
        extend_deadline(
            actor=township_leader, matter=matter, deadline=date(2026, 3, 18), reason="再等一天"
        )
        assert send_deadline_reminders() == 1  # a new deadline gets its own reminder
    assert Notification.objects.filter(matter=matter, kind="reminder").count() == 4


@pytest.mark.django_db  # the working calendar is a table
def test_reminders_wait_for_a_working_day_morning():
    from grievances.services import in_working_hours, next_working_start

    assert not in_working_hours(datetime(2026, 10, 2, 10, 0, tzinfo=SH))  # National Day
    assert in_working_hours(datetime(2026, 10, 10, 10, 0, tzinfo=SH))  # make-up Saturday
    assert next_working_start(datetime(2026, 9, 30, 20, 0, tzinfo=SH)) == datetime(
        2026, 10, 8, 9, 0, tzinfo=SH
    )
    assert next_working_start(datetime(2026, 3, 16, 7, 0, tzinfo=SH)) - datetime(
        2026, 3, 16, 9, 0, tzinfo=SH
    ) == timedelta(0)
