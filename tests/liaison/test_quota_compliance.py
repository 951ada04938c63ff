"""Quota compliance per branch: hand-made figures, and the same verdicts as the cadre pages."""

from datetime import date

import pytest
import time_machine
from django.db.models import Count, Q

from liaison.models import Cadre, Rank, VisitKind
from liaison.selectors import (
    behind_schedule_q,
    quota_compliance_by_branch,
    with_quota_progress,
    year_fraction,
)
from liaison.services import assign_responsibility, record_visit
from tests.liaison.factories import make_cadre, make_household

pytestmark = pytest.mark.django_db

TODAY = date(2026, 7, 2)  # half of the year gone (183/365)


@pytest.fixture
def cadres(areas, county_leader):
    """思茅镇: a village head on pace, a village head behind, a cadre with no duty;
    南屏镇: a group head on pace but a village cadre (rank) with no stay quota."""
    home = make_household(areas["ga"])
    away = make_household(areas["vb"])
    on_pace = make_cadre(areas["ta"], name="甲", rank=Rank.VILLAGE)
    behind = make_cadre(areas["ta"], name="乙", rank=Rank.VILLAGE)
    idle = make_cadre(areas["ta"], name="丙", rank=Rank.VILLAGE)
    group_head = make_cadre(areas["tb"], name="丁", rank=Rank.VILLAGE)
    assign_responsibility(
        actor=None, area=areas["va"], cadre=on_pace, duty="responsible", start_date=date(2026, 1, 1)
    )
    assign_responsibility(
        actor=None, area=areas["ga"], cadre=behind, duty="responsible", start_date=date(2026, 1, 1)
    )
    assign_responsibility(
        actor=None,
        area=areas["vb"],
        cadre=group_head,
        duty="responsible",
        start_date=date(2026, 1, 1),
    )
    with time_machine.travel(TODAY, tick=False):
        for month in range(
            1, 8
        ):  # 7 home visits by 1 July: village quota 12 / 6 → pace 6.02 / 3.01
            record_visit(
                actor=county_leader,
                cadre=on_pace,
                visited_on=date(2026, month, 1),
                kind=VisitKind.HOME,
                households=[home],
            )
            record_visit(
                actor=county_leader,
                cadre=group_head,
                visited_on=date(2026, month, 1),
                kind=VisitKind.HOME,
                households=[away],
            )
        record_visit(
            actor=county_leader,
            cadre=behind,
            visited_on=date(2026, 3, 1),
            kind=VisitKind.PHONE,
            households=[home],
        )
        record_visit(
            actor=county_leader,
            cadre=behind,
            visited_on=date(2025, 3, 1),
            kind=VisitKind.HOME,
            households=[home],
        )  # last year's visit does not count
    return {"on_pace": on_pace, "behind": behind, "idle": idle, "group_head": group_head}


@time_machine.travel(TODAY, tick=False)
def test_branch_figures_are_right_on_hand_made_data(areas, cadres):
    rows = {r["area"].name: r for r in quota_compliance_by_branch(areas["ca"], TODAY)}
    assert (
        rows["思茅镇"]["cadres"],
        rows["思茅镇"]["behind"],
        rows["思茅镇"]["contacts_total"],
    ) == (2, 1, 8)  # 丙 has no duty and a village rank: no quota binds him
    assert (
        rows["南屏镇"]["cadres"],
        rows["南屏镇"]["behind"],
        rows["南屏镇"]["contacts_total"],
    ) == (1, 0, 7)
    city = {r["area"].name: r for r in quota_compliance_by_branch(areas["c"], TODAY)}
    assert (city["思茅区"]["cadres"], city["思茅区"]["behind"]) == (3, 1)
    assert (
        city["宁洱县"]["cadres"],
        city["宁洱县"]["behind"],
        city["宁洱县"]["contacts_total"],
    ) == (0, 0, 0)


@time_machine.travel(TODAY, tick=False)
def test_branch_verdicts_match_the_per_cadre_rules(areas, cadres):
    """The branch SQL and the cadre pages' annotations must never disagree."""
    fraction = year_fraction(TODAY)
    annotated = with_quota_progress(Cadre.objects.subtree_of(areas["ca"]), TODAY.year)
    behind = set(annotated.filter(behind_schedule_q(fraction)).values_list("name", flat=True))
    assert behind == {"乙"}
    per_branch = {
        r["area"].name: r["behind"] for r in quota_compliance_by_branch(areas["ca"], TODAY)
    }
    assert sum(per_branch.values()) == len(behind)
    has_quota = Q(quota_contacts__gt=0) | Q(quota_visits__gt=0) | Q(quota_stay__gt=0)
    totals = annotated.filter(has_quota).aggregate(n=Count("id"))
    assert sum(r["cadres"] for r in quota_compliance_by_branch(areas["ca"], TODAY)) == totals["n"]
