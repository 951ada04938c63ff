"""Filing, numbering and the state machine: every transition and every refusal."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from grievances.models import HandlingLevel, Matter, MatterEvent, MatterStatus, Notification
from grievances.services import (
    MatterError,
    close_out,
    explain,
    extend_deadline,
    record_feedback,
    reopen,
    report_up,
    resolve,
    start_work,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False):
        yield


def test_filed_matter_is_owned_by_the_first_visitor_and_handled_by_the_village_head(
    ledger, make_matter, clerk_a
):
    matter = make_matter(actor=clerk_a, received_on=date(2026, 3, 1))
    assert matter.number == "530802-2026-000001"
    assert matter.owner == ledger.owner and matter.handler == ledger.village_head
    assert matter.level == HandlingLevel.VILLAGE and matter.handling_area == ledger.areas["va"]
    assert matter.status == MatterStatus.REGISTERED
    assert matter.deadline == date(2026, 3, 16)  # village: 15 calendar days
    assert matter.applicant_name == "王大" and matter.area == ledger.areas["va"]
    assert list(matter.events.values_list("action", "to_status")) == [("filed", "registered")]


def test_numbers_run_without_gaps_per_county_and_year(ledger, make_matter, areas):
    from tests.liaison.factories import make_household

    numbers = [make_matter().number for _ in range(3)]
    with pytest.raises(MatterError):
        make_matter(applicant=None, applicant_name="")  # refused: no number used up
    numbers.append(make_matter().number)
    other_county = make_matter(applicant=make_household(areas["vc"], name="赵六")).number
    assert numbers == [f"530802-2026-00000{i}" for i in (1, 2, 3, 4)]
    assert other_county == "530821-2026-000001"


def test_a_clerk_cannot_file_a_matter_in_the_sibling_township(ledger, make_matter, clerk_b_sibling):
    with pytest.raises(MatterError) as err:
        make_matter(actor=clerk_b_sibling)
    assert err.value.code == "out_of_scope"
    assert not Matter.objects.exists()


def test_future_received_date_is_refused(make_matter):
    with pytest.raises(MatterError) as err:
        make_matter(received_on=date(2026, 3, 3))
    assert err.value.field == "received_on"


def test_full_life_registered_to_closed_out(ledger, make_matter, clerk_a, township_leader):
    matter = make_matter(actor=clerk_a)
    matter = start_work(actor=clerk_a, matter=matter)
    matter = resolve(actor=clerk_a, matter=matter, resolution="已更换水管")
    assert (matter.status, matter.outcome, matter.resolved_on) == (
        "resolved",
        "resolved",
        date(2026, 3, 2),
    )
    matter = close_out(
        actor=township_leader, matter=matter, feedback="水通了", satisfaction="satisfied"
    )
    assert matter.status == MatterStatus.CLOSED_OUT and matter.closed_by == township_leader
    assert list(matter.events.values_list("from_status", "to_status")) == [
        ("", "registered"),
        ("registered", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed_out"),
    ]
    assert matter.events.last().actor == township_leader
    assert matter.version == 4


def test_explain_requires_the_explanation_given_to_the_household(make_matter, clerk_a):
    matter = make_matter()
    with pytest.raises(MatterError) as err:
        explain(actor=clerk_a, matter=matter, explanation="  ")
    assert err.value.field == "explanation"
    matter = explain(actor=clerk_a, matter=matter, explanation="不符合低保政策，已当面解释")
    assert (matter.status, matter.outcome) == ("explained", "explained")


def test_resolve_requires_how(make_matter, clerk_a):
    with pytest.raises(MatterError) as err:
        resolve(actor=clerk_a, matter=make_matter(), resolution="")
    assert err.value.code == "required"


def test_report_up_by_the_owner_moves_to_the_township_head(ledger, make_matter):
    owner_user = ledger.owner.user
    matter = make_matter()
    matter = report_up(actor=owner_user, matter=matter, reason="村里解决不了，需镇里协调资金")
    assert matter.status == MatterStatus.REPORTED_UP
    assert matter.handling_area == ledger.areas["ta"] and matter.handler == ledger.township_head
    assert matter.level == HandlingLevel.TOWNSHIP and matter.deadline == date(2026, 4, 1)
    assert matter.owner == ledger.owner  # first-visitor responsibility: owner unchanged
    assert Notification.objects.filter(cadre=ledger.township_head, kind="reported_up").count() == 1
    matter = start_work(actor=ledger.township_head.user, matter=matter)
    assert matter.status == MatterStatus.IN_PROGRESS


def test_only_the_owner_may_report_up(ledger, make_matter, clerk_a):
    with pytest.raises(MatterError) as err:
        report_up(actor=clerk_a, matter=make_matter(), reason="x")
    assert err.value.code == "not_owner"


def test_report_up_needs_a_reason(ledger, make_matter):
    with pytest.raises(MatterError) as err:
        report_up(actor=ledger.owner.user, matter=make_matter(), reason="")
    assert err.value.field == "reason"


@pytest.mark.parametrize(
    "status, action",
    [
        ("resolved", "start_work"),
        ("closed_out", "resolve"),
        ("closed_out", "explain"),
        ("registered", "reopen"),
        ("in_progress", "close_out"),
        ("resolved", "report_up"),
        ("explained", "extend_deadline"),
        ("reported_up", "report_up"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(
    ledger, make_matter, township_leader, status, action
):
    matter = make_matter()
    Matter.objects.filter(pk=matter.pk).update(status=status)
    matter.refresh_from_db()
    calls = {
        "start_work": lambda: start_work(actor=township_leader, matter=matter),
        "resolve": lambda: resolve(actor=township_leader, matter=matter, resolution="x"),
        "explain": lambda: explain(actor=township_leader, matter=matter, explanation="x"),
        "reopen": lambda: reopen(actor=township_leader, matter=matter, reason="x"),
        "close_out": lambda: close_out(
            actor=township_leader, matter=matter, feedback="x", satisfaction="satisfied"
        ),
        "report_up": lambda: report_up(actor=ledger.owner.user, matter=matter, reason="x"),
        "extend_deadline": lambda: extend_deadline(
            actor=township_leader, matter=matter, deadline=date(2026, 5, 1), reason="x"
        ),
    }
    with pytest.raises(MatterError) as err:
        calls[action]()
    assert err.value.code == "illegal_transition"
    assert matter.get_status_display() in err.value.message
    assert Matter.objects.get(pk=matter.pk).version == matter.version


def test_second_clerk_saving_a_stale_matter_is_told_and_nothing_is_overwritten(
    make_matter, clerk_a
):
    matter = make_matter()
    first = Matter.objects.get(pk=matter.pk)
    second = Matter.objects.get(pk=matter.pk)
    resolve(actor=clerk_a, matter=first, resolution="甲的办法")
    with pytest.raises(MatterError) as err:
        explain(actor=clerk_a, matter=second, explanation="乙的解释")
    assert err.value.code == "stale"
    fresh = Matter.objects.get(pk=matter.pk)
    assert (fresh.status, fresh.resolution, fresh.explanation) == ("resolved", "甲的办法", "")


def test_an_explicit_old_version_is_stale(make_matter, clerk_a):
    matter = make_matter()
    start_work(actor=clerk_a, matter=matter)
    matter.refresh_from_db()
    with pytest.raises(MatterError) as err:
        resolve(actor=clerk_a, matter=matter, resolution="x", version=matter.version - 1)
    assert err.value.code == "stale"


def test_close_out_needs_feedback_satisfaction_and_a_leader(
    ledger, make_matter, clerk_a, township_leader
):
    matter = resolve(actor=clerk_a, matter=make_matter(), resolution="已修")
    with pytest.raises(MatterError) as err:
        close_out(actor=clerk_a, matter=matter, feedback="好", satisfaction="satisfied")
    assert err.value.code == "not_leader"
    with pytest.raises(MatterError) as err:
        close_out(actor=township_leader, matter=matter, feedback="", satisfaction="satisfied")
    assert err.value.field == "feedback"
    with pytest.raises(MatterError) as err:
        close_out(actor=township_leader, matter=matter, feedback="好", satisfaction="")
    assert err.value.field == "satisfaction"
    # The village's responsible cadre leads the handling level too; as its handler he does
    # not collect the household's word himself: a clerk's return call does.
    with pytest.raises(MatterError) as err:
        close_out(
            actor=ledger.village_head.user, matter=matter, feedback="好", satisfaction="basically"
        )
    assert err.value.code == "own_matter"
    matter = record_feedback(actor=clerk_a, matter=matter, feedback="好", satisfaction="basically")
    matter = close_out(actor=ledger.village_head.user, matter=matter)
    assert matter.status == MatterStatus.CLOSED_OUT


def test_feedback_recorded_by_a_clerk_then_approved_by_the_leader(
    make_matter, clerk_a, township_leader
):
    matter = resolve(actor=clerk_a, matter=make_matter(), resolution="已修")
    matter = record_feedback(
        actor=clerk_a, matter=matter, feedback="满意", satisfaction="satisfied"
    )
    assert matter.status == MatterStatus.RESOLVED
    matter = close_out(actor=township_leader, matter=matter)
    assert (matter.status, matter.satisfaction) == ("closed_out", "satisfied")


def test_a_dissatisfied_household_reopens_instead_of_closing(
    ledger, make_matter, clerk_a, township_leader
):
    matter = resolve(actor=clerk_a, matter=make_matter(), resolution="已修")
    matter = close_out(
        actor=township_leader, matter=matter, feedback="还是漏水", satisfaction="dissatisfied"
    )
    assert matter.status == MatterStatus.IN_PROGRESS and matter.resolved_on is None
    assert matter.events.last().action == "reopen"
    assert Notification.objects.filter(cadre=ledger.owner, kind="reopened").exists()


@pytest.mark.parametrize("done", ["resolve", "explain", "close"])
def test_reopen_from_resolved_explained_and_closed_out(make_matter, clerk_a, township_leader, done):
    matter = make_matter()
    if done == "explain":
        matter = explain(actor=clerk_a, matter=matter, explanation="政策不允许")
    else:
        matter = resolve(actor=clerk_a, matter=matter, resolution="已修")
    if done == "close":
        matter = close_out(
            actor=township_leader, matter=matter, feedback="好", satisfaction="satisfied"
        )
    with pytest.raises(MatterError):
        reopen(actor=clerk_a, matter=matter, reason="")
    matter = reopen(actor=clerk_a, matter=matter, reason="农户反映问题复发")
    assert matter.status == MatterStatus.IN_PROGRESS and matter.closed_on is None


def test_extend_deadline_by_a_leader_with_a_reason(make_matter, clerk_a, township_leader):
    matter = make_matter()
    with pytest.raises(MatterError) as err:
        extend_deadline(actor=clerk_a, matter=matter, deadline=date(2026, 4, 1), reason="x")
    assert err.value.code == "not_leader"
    with pytest.raises(MatterError) as err:
        extend_deadline(actor=township_leader, matter=matter, deadline=date(2026, 4, 1), reason="")
    assert err.value.field == "reason"
    with pytest.raises(MatterError) as err:
        extend_deadline(
            actor=township_leader, matter=matter, deadline=date(2026, 3, 10), reason="资金未到"
        )
    assert err.value.code == "not_later"
    matter = extend_deadline(
        actor=township_leader, matter=matter, deadline=date(2026, 4, 1), reason="资金未到"
    )
    assert matter.deadline == date(2026, 4, 1) and matter.status == MatterStatus.REGISTERED
    assert (
        MatterEvent.objects.filter(matter=matter, action="extend_deadline").get().note == "资金未到"
    )


def test_sibling_township_cannot_see_or_touch_the_matter(make_matter, clerk_a, clerk_b_sibling):
    matter = make_matter(actor=clerk_a)
    assert not Matter.objects.visible_to(clerk_b_sibling).exists()
    assert Matter.objects.visible_to(clerk_a).get() == matter
    with pytest.raises(MatterError) as err:
        start_work(actor=clerk_b_sibling, matter=matter)
    assert err.value.code == "out_of_scope"


def test_escalated_matter_stays_visible_to_the_owners_township(
    ledger, make_matter, clerk_a, county_leader
):
    matter = make_matter(actor=clerk_a)
    report_up(actor=ledger.owner.user, matter=matter, reason="村里解决不了")
    matter.refresh_from_db()
    report_up(
        actor=ledger.owner.user,
        matter=start_work(actor=clerk_a, matter=matter),
        reason="镇里也解决不了",
    )
    matter.refresh_from_db()
    assert matter.level == HandlingLevel.COUNTY
    assert Matter.objects.visible_to(clerk_a).filter(pk=matter.pk).exists()
    assert Matter.objects.visible_to(county_leader).filter(pk=matter.pk).exists()


def test_a_superuser_sees_every_matter(make_matter, superuser):
    matter = make_matter()
    assert list(Matter.objects.visible_to(superuser)) == [matter]


def test_moving_an_area_moves_its_matters_handling_path_too(ledger, make_matter, city_admin):
    from grievances.models import Matter
    from responsibility_areas.services import move_area

    matter = make_matter()
    village = ledger.areas["va"]
    moved = move_area(actor=city_admin, area=village, new_parent=ledger.areas["tb"])
    matter = Matter.objects.get(pk=matter.pk)
    assert matter.area_path == moved.path and matter.handling_path == moved.path
    assert Matter.objects.subtree_of(ledger.areas["tb"]).filter(pk=matter.pk).exists()


def test_the_loser_of_a_race_is_told_someone_else_changed_it(make_matter, clerk_a):
    """Issue 22, 4: the second of two clerks settling the same matter read "当前状态为已办结…"
    instead of being told someone else changed it."""
    matter = make_matter()
    seen = matter.version
    resolve(actor=clerk_a, matter=Matter.objects.get(pk=matter.pk), resolution="已修", version=seen)
    with pytest.raises(MatterError) as err:
        resolve(
            actor=clerk_a,
            matter=Matter.objects.get(pk=matter.pk),
            resolution="也修了",
            version=seen,
        )
    assert err.value.code == "stale"
