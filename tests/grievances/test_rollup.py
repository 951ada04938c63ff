"""The monthly ledger against hand-counted data, rolled up the tree, re-runnable."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from grievances.models import LedgerMonth, Matter, MatterEvent
from grievances.services import is_rollup_day, rollup_day, rollup_ledger
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MARCH = date(2026, 3, 1)


def _matter(make_matter, household, **fields):
    matter = make_matter(applicant=household, received_on=date(2026, 1, 5))
    Matter.objects.filter(pk=matter.pk).update(**fields)
    return matter


@pytest.fixture
def month_data(ledger, make_matter, areas):
    """甲村: 6 matters; 乙村 (sibling township): 2; 丙村 (other county): 1. Hand-counted below."""
    ha, hb, hc = (
        ledger.household,
        make_household(areas["vb"], name="李四"),
        make_household(areas["vc"], name="赵六"),
    )
    with time_machine.travel(datetime(2026, 3, 31, 12, 0, tzinfo=SH), tick=False):
        # 甲村
        _matter(
            make_matter,
            ha,
            received_on=date(2026, 3, 2),
            deadline=date(2026, 3, 17),
            outcome="resolved",
            resolved_on=date(2026, 3, 10),
            days_to_resolve=8,
            status="resolved",
        )  # new, resolved on time
        _matter(
            make_matter,
            ha,
            received_on=date(2026, 3, 3),
            deadline=date(2026, 3, 18),
            outcome="explained",
            resolved_on=date(2026, 3, 20),
            days_to_resolve=17,
            status="explained",
        )  # new, explained late
        _matter(
            make_matter,
            ha,
            received_on=date(2026, 2, 1),
            deadline=date(2026, 2, 16),
            outcome="resolved",
            resolved_on=date(2026, 2, 20),
            days_to_resolve=19,
            closed_on=date(2026, 3, 5),
            status="closed_out",
        )  # closed out in March
        esc = _matter(
            make_matter,
            ha,
            received_on=date(2026, 2, 10),
            deadline=date(2026, 4, 9),
            escalation_count=1,
            status="registered",
        )  # pending, escalated in Mar
        MatterEvent.objects.create(
            matter=esc,
            actor_name="system",
            action="escalated",
            to_status="registered",
            at=datetime(2026, 3, 1, 0, 30, tzinfo=SH),
        )
        _matter(
            make_matter,
            ha,
            received_on=date(2026, 3, 5),
            deadline=date(2026, 3, 20),
            status="in_progress",
        )  # new, pending, overdue
        _matter(
            make_matter,
            ha,
            received_on=date(2026, 4, 1),
            deadline=date(2026, 4, 16),
            status="registered",
        )  # April: not counted
        # 乙村
        _matter(
            make_matter,
            hb,
            received_on=date(2026, 3, 9),
            deadline=date(2026, 3, 24),
            outcome="resolved",
            resolved_on=date(2026, 3, 12),
            days_to_resolve=3,
            status="resolved",
        )  # new, resolved on time
        _matter(
            make_matter,
            hb,
            received_on=date(2026, 1, 9),
            deadline=date(2026, 1, 24),
            status="in_progress",
        )  # pending, overdue
        # 丙村
        _matter(
            make_matter,
            hc,
            received_on=date(2026, 3, 9),
            deadline=date(2026, 3, 24),
            status="registered",
        )  # new, pending, overdue
    return areas


def _row(area):
    row = LedgerMonth.objects.get(area=area, month=MARCH)
    return {
        f: getattr(row, f)
        for f in (
            "new",
            "resolved",
            "explained",
            "closed_out",
            "pending",
            "overdue",
            "escalated",
            "on_time_rate",
            "avg_days_to_resolve",
        )
    }


def test_rollup_matches_hand_counts_at_every_level(month_data):
    areas = month_data
    with time_machine.travel(datetime(2026, 4, 2, 1, 30, tzinfo=SH), tick=False):
        rollup_ledger(month=MARCH)
    village_a = {
        "new": 3,
        "resolved": 1,
        "explained": 1,
        "closed_out": 1,
        "pending": 2,
        "overdue": 2,  # one open past its deadline, one settled late (on-time rate 0.5)
        "escalated": 1,
        "on_time_rate": 0.5,
        "avg_days_to_resolve": 12.5,
    }
    assert _row(areas["va"]) == village_a
    assert _row(areas["ta"]) == village_a
    assert _row(areas["vb"]) == {
        "new": 1,
        "resolved": 1,
        "explained": 0,
        "closed_out": 0,
        "pending": 1,
        "overdue": 1,
        "escalated": 0,
        "on_time_rate": 1.0,
        "avg_days_to_resolve": 3.0,
    }
    assert _row(areas["ca"]) == {
        "new": 4,
        "resolved": 2,
        "explained": 1,
        "closed_out": 1,
        "pending": 3,
        "overdue": 3,  # two open past their deadline, one settled late
        "escalated": 1,
        "on_time_rate": round(2 / 3, 4),
        "avg_days_to_resolve": 9.33,
    }
    assert _row(areas["vc"])["new"] == 1 and _row(areas["cb"])["overdue"] == 1
    assert _row(areas["p"])["new"] == 5 and _row(areas["p"])["pending"] == 4
    assert not LedgerMonth.objects.filter(area=areas["ga"]).exists()  # no matters there


def test_rerun_replaces_the_month(month_data):
    areas = month_data
    with time_machine.travel(datetime(2026, 4, 2, 1, 30, tzinfo=SH), tick=False):
        rollup_ledger(month=MARCH)
        before = sorted(LedgerMonth.objects.values_list("area_id", "new", "pending", "overdue"))
        rollup_ledger(month=MARCH)
        assert (
            sorted(LedgerMonth.objects.values_list("area_id", "new", "pending", "overdue"))
            == before
        )
        Matter.objects.filter(area=areas["vc"]).delete()
        rollup_ledger(month=MARCH)
    assert not LedgerMonth.objects.filter(area__in=[areas["vc"], areas["cb"]]).exists()
    assert _row(areas["p"])["new"] == 4


def test_current_month_counts_pending_and_overdue_as_of_today(month_data):
    areas = month_data
    with time_machine.travel(datetime(2026, 3, 15, 12, 0, tzinfo=SH), tick=False):
        rollup_ledger(month=MARCH)
    row = _row(areas["va"])
    # As of 15 March: 2 Mar, 3 Mar, 10 Feb, 5 Mar matters are open (the 1st resolved on the 10th).
    # None is open past its deadline yet, and the one settled (on the 10th) was on time.
    assert row["pending"] == 3 and row["overdue"] == 0


def test_rollup_day_is_the_30th_or_the_last_day_of_a_shorter_month(settings):
    assert rollup_day(date(2026, 3, 1)) == 30 and rollup_day(date(2026, 2, 1)) == 28
    assert is_rollup_day(date(2026, 2, 28)) and not is_rollup_day(date(2026, 3, 31))
    settings.GRIEVANCE_ROLLUP_DAY = 25
    assert is_rollup_day(date(2026, 2, 25))


@pytest.mark.django_db(transaction=True)
def test_a_rollup_waits_for_the_run_before_it_and_reads_after_it(month_data):
    """Issue 22 §1: two runs of a month at once could let the one that read older rows write
    last. A run of the month is in progress (its lock held by another session): ours waits
    for it to end, then reads what it committed — a matter filed meanwhile is counted."""
    import threading
    import time
    import zlib

    import psycopg2
    from django.db import connection

    from foundation import joblock

    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k != "options"})
    key = zlib.crc32(b"rollup_ledger:2026-03") & 0x7FFFFFFF
    other.cursor().execute("SELECT pg_advisory_xact_lock(%s, %s)", [joblock.SERIAL_NAMESPACE, key])
    released = []

    def finish_the_other_run():
        time.sleep(1.0)
        released.append(time.monotonic())
        other.commit()  # its transaction ends: ours may read now

    finisher = threading.Thread(target=finish_the_other_run)
    finisher.start()
    try:
        with time_machine.travel(datetime(2026, 4, 2, 9, 0, tzinfo=SH), tick=False):
            rollup_ledger(month=MARCH)
        done = time.monotonic()
    finally:
        finisher.join(10)
        other.close()
    assert released and done >= released[0]  # it waited for the other run
    assert LedgerMonth.objects.filter(month=MARCH).exists()
