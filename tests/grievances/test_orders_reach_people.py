"""Orders reach people (issue 23 §2): every kind of notice — a supervision notice, an
escalation, a matter reported up, a deadline reminder, a reopened (returned) matter, a
deadline extended, a household's report — appears in its recipient's 待办 (with the count
the navigation's badge shows) and in 我的通知; the supervisor's home has a 待办 of its own.

Before: two supervision notices sent to 刘强 gave him no 待办 card, no badge and nothing in
我的通知 (the notices section sat in the leaders' 待办 only, and no notification was made),
and a supervisor's home had no 待办 at all.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from foundation import generation
from grievances.models import Matter, Notification, NotificationKind
from grievances.services import (
    escalate_overdue_matters,
    extend_deadline,
    reopen,
    report_up,
    resolve,
    send_deadline_reminders,
)
from grievances.services.meetings import issue_supervision_notice
from grievances.services.reports import receive_public_report
from liaison.models import PairingKind
from liaison.services import pair_household
from portal.todo import todo_count
from responsibility_areas.models import Role
from tests.conftest import _person

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 9, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def supervisor(areas):
    return _person("supervisor", areas["ca"], Role.SUPERVISOR, last_name="赵", first_name="敏")


def _home(user):
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    sections = {s.key: s for _title, group in response.context["todo"] for s in group}
    return client, response, sections


def _reads_it(user, kind):
    """``user`` finds each unread notification of ``kind`` in 待办 and in 我的通知."""
    generation.bump()  # what the write's commit does (no commit inside a test's transaction)
    notes = Notification.objects.filter(cadre__user=user, kind=kind, read_at__isnull=True)
    assert notes.exists(), f"no {kind} notification for {user}"
    client, response, sections = _home(user)
    inbox = sections["inbox"]
    unread = Notification.objects.filter(cadre__user=user, read_at__isnull=True).count()
    assert inbox.count == unread
    assert todo_count(user, None) >= unread  # the navigation's badge counts them
    assert response.content.decode().count('data-todo="inbox"') == 1
    page = client.get(inbox.more_url).content.decode()
    label = dict(NotificationKind.choices)[kind]
    for note in notes:
        assert note.text in page and str(label) in page
    return sections


def test_every_kind_of_order_reaches_its_recipient(ledger, make_matter, supervisor):
    owner, village, township = ledger.owner, ledger.village_head, ledger.township_head
    today = date(2026, 3, 9)

    # A supervision notice to the handler of a matter: 待办 "to answer", and 我的通知.
    matter = make_matter(received_on=today - timedelta(days=2))
    issue_supervision_notice(
        actor=supervisor, matter=matter, text="请说明进展", respond_by=today + timedelta(days=2)
    )
    issue_supervision_notice(
        actor=supervisor, recipient=owner, text="本月走访不足", respond_by=today + timedelta(days=5)
    )
    sections = _reads_it(village.user, NotificationKind.SUPERVISION_NOTICE)
    assert sections["notices"].count == 1 and "请说明进展" in sections["notices"].items[0].note
    sections = _reads_it(owner.user, NotificationKind.SUPERVISION_NOTICE)
    assert sections["notices"].count == 1
    # The supervisor's own home: the notices issued and not answered yet.
    _client, _response, sections = _home(supervisor)
    assert sections["issued"].count == 2

    # A deadline reminder (due within the reminder days, in working hours).
    Matter.objects.filter(pk=matter.pk).update(deadline=today + timedelta(days=1))
    assert send_deadline_reminders(now=MONDAY) >= 1
    _reads_it(village.user, NotificationKind.REMINDER)

    # Reported up by its owner: the township's responsible cadre is told.
    matter.refresh_from_db()
    report_up(actor=owner.user, matter=matter, reason="村里解决不了")
    _reads_it(township.user, NotificationKind.REPORTED_UP)

    # A deadline extended by a leader of the handling level: handler and owner are told.
    leader = _person("township_leader", ledger.areas["ta"], Role.TOWNSHIP_LEADER, last_name="王")
    matter.refresh_from_db()
    extend_deadline(
        actor=leader, matter=matter, deadline=matter.deadline + timedelta(days=10), reason="需协调"
    )
    _reads_it(township.user, NotificationKind.DEADLINE_EXTENDED)
    _reads_it(owner.user, NotificationKind.DEADLINE_EXTENDED)

    # Resolved, then returned (reopened): handler and owner are told.
    matter.refresh_from_db()
    resolve(actor=township.user, matter=matter, resolution="已修复")
    matter.refresh_from_db()
    reopen(actor=township.user, matter=matter, reason="群众反映仍漏水")
    _reads_it(owner.user, NotificationKind.REOPENED)

    # Escalated when overdue: the level above is told.
    late = make_matter(received_on=today - timedelta(days=40))
    Matter.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=1))
    assert escalate_overdue_matters(now=MONDAY) >= 1
    assert Notification.objects.filter(kind=NotificationKind.ESCALATED).exists()
    for note in Notification.objects.filter(kind=NotificationKind.ESCALATED):
        if note.cadre and note.cadre.user:
            _reads_it(note.cadre.user, NotificationKind.ESCALATED)

    # A household's report, through its card: the paired cadre is told.
    pair_household(
        actor=None, cadre=owner, household=ledger.household, kind=PairingKind.TERRITORIAL
    )
    receive_public_report(household=ledger.household, description="路灯坏了")
    _reads_it(owner.user, NotificationKind.PUBLIC_REPORT)
