"""Every dashboard figure on hand-counted data, and every page that shows one agrees.

思茅区 on 20 November 2026 (see the fixture for who did what):

ledger, November: new 4 (A B D F), open 3 (C D F), open past the deadline 2 (C F),
settled 2 (A on time, B late), overdue 3 (C F open past it + B settled late),
on time 50 %, closed out 1 (E), escalated 1 (F). 宁洱县 has one more new, open matter (G).

people: households 4, must-visit 2 of which 1 unpaired (coverage 50 %); cadres bound by a
quota 5 — 杨村 (village head: contacts), 王镇 (township rank: stay days and contacts),
陈南 (township rank, stays too little: behind), 李书记 (county rank, leading: 10 stay days,
has 3: behind), 吴局 (bureau rank, leading: 7 days, has 7: on pace); 刘强 (village rank, no
duty), 周干 (county), 孙厅 (bureau) and 钱省 (province rank), none leading, have none.
November: 3 contacts, 3 in-person, 7 stay days; October the same; November 2025: 1.
"""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from foundation.periods import period_from
from grievances.indicators import by_kind_and_topic, ledger_figures
from grievances.models import Matter, MatterEvent
from grievances.services import rollup_ledger
from liaison.indicators import liaison_figures, rollup_activity
from liaison.models import HouseholdCategory, Rank, VisitKind
from liaison.pairing_rules import cadres_breaking_rules
from liaison.services import bulk_pair, record_visit
from tests.grievances.conftest import ledger, make_matter, township_leader  # noqa: F401 - fixtures
from tests.liaison.factories import make_cadre, make_household

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
NOV = date(2026, 11, 1)


def _matter(make_matter, household, **fields):  # noqa: F811
    matter = make_matter(applicant=household, received_on=fields["received_on"])
    Matter.objects.filter(pk=matter.pk).update(**fields)
    return Matter.objects.get(pk=matter.pk)


@pytest.fixture
def world(ledger, make_matter, areas, county_leader):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        home = ledger.household  # 甲村, not must-visit
        poor = make_household(areas["ga"], name="贫一", categories=[HouseholdCategory.POOR])
        lonely = make_household(
            areas["vb"], name="五保二", categories=[HouseholdCategory.FIVE_GUARANTEE]
        )
        b_home = make_household(areas["vb"], name="乙三")
        other = make_household(areas["vc"], name="丙四")
        bulk_pair(
            actor=None,
            actor_name="test",
            pairs=[(ledger.village_head, poor, "territorial", date(2026, 1, 1))],
        )
        m = {}
        m["A"] = _matter(
            make_matter,
            home,
            received_on=date(2026, 11, 2),
            deadline=date(2026, 11, 17),
            outcome="resolved",
            resolved_on=date(2026, 11, 10),
            days_to_resolve=8,
            status="resolved",
        )
        m["B"] = _matter(
            make_matter,
            home,
            received_on=date(2026, 11, 3),
            deadline=date(2026, 11, 10),
            outcome="explained",
            resolved_on=date(2026, 11, 15),
            days_to_resolve=12,
            status="explained",
        )
        m["C"] = _matter(
            make_matter,
            home,
            received_on=date(2026, 10, 1),
            deadline=date(2026, 10, 16),
            status="in_progress",
        )
        m["D"] = _matter(
            make_matter,
            home,
            received_on=date(2026, 11, 5),
            deadline=date(2026, 12, 1),
            status="registered",
        )
        m["E"] = _matter(
            make_matter,
            home,
            received_on=date(2026, 9, 1),
            deadline=date(2026, 9, 16),
            outcome="resolved",
            resolved_on=date(2026, 9, 10),
            days_to_resolve=9,
            closed_on=date(2026, 11, 3),
            status="closed_out",
        )
        m["F"] = _matter(
            make_matter,
            b_home,
            received_on=date(2026, 11, 9),
            deadline=date(2026, 11, 12),
            status="registered",
            escalation_count=1,
        )
        MatterEvent.objects.create(
            matter=m["F"],
            actor_name="system",
            action="escalated",
            to_status="registered",
            at=datetime(2026, 11, 13, 1, 0, tzinfo=SH),
        )
        m["G"] = _matter(
            make_matter,
            other,
            received_on=date(2026, 11, 1),
            deadline=date(2026, 11, 30),
            status="registered",
        )
        leading = make_cadre(areas["ca"], name="李书记", rank=Rank.COUNTY, is_leading=True)
        make_cadre(areas["ca"], name="周干", rank=Rank.COUNTY)  # no quota binds him
        make_cadre(areas["ca"], name="孙厅", rank=Rank.BUREAU)  # bureau rank, not leading: none
        make_cadre(areas["ca"], name="钱省", rank=Rank.PROVINCE)  # province rank, not leading
        bureau_lead = make_cadre(areas["ca"], name="吴局", rank=Rank.BUREAU, is_leading=True)
        for month in range(1, 12):
            day = date(2026, month, 2)
            for cadre, household, stay in (
                (ledger.village_head, poor, 0),
                (ledger.township_head, home, 5),
                (ledger.sibling_head, lonely, 2),
            ):
                record_visit(
                    actor=county_leader,
                    cadre=cadre,
                    visited_on=day,
                    kind=VisitKind.HOME,
                    households=[household],
                    stay_days=stay,
                )
        record_visit(
            actor=county_leader,
            cadre=leading,
            visited_on=date(2026, 3, 5),
            kind=VisitKind.PHONE,
            households=[home],
            stay_days=3,
        )
        record_visit(  # 7 days a year for a bureau-rank leader: 7 by November is on pace
            actor=county_leader,
            cadre=bureau_lead,
            visited_on=date(2026, 4, 8),
            kind=VisitKind.HOME,
            households=[home],
            stay_days=7,
        )
        record_visit(
            actor=county_leader,
            cadre=ledger.village_head,
            visited_on=date(2025, 11, 20),
            kind=VisitKind.HOME,
            households=[poor],
        )
    return m


LEDGER_COUNTY = {
    "new": 4,
    "pending": 3,
    "overdue_open": 2,
    "done": 2,
    "on_time": 1,
    "late": 1,
    "overdue": 3,
    "on_time_rate": 50.0,
    "closed_out": 1,
    "escalated": 1,
}


@time_machine.travel(NOW, tick=False)
def test_ledger_figures_are_the_hand_counts(world, areas, county_leader):
    figures = ledger_figures(county_leader, areas["ca"], period_from("month"))
    assert {k: figures["total"][k] for k in LEDGER_COUNTY} == LEDGER_COUNTY
    town_a = figures["children"][areas["ta"].path]
    town_b = figures["children"][areas["tb"].path]
    assert (town_a["new"], town_a["pending"], town_a["overdue"], town_a["escalated"]) == (
        3,
        2,
        2,
        0,
    )
    assert (town_b["new"], town_b["pending"], town_b["overdue"], town_b["escalated"]) == (
        1,
        1,
        1,
        1,
    )
    assert figures["computed_at"] is None  # a county's month in progress is live


@time_machine.travel(NOW, tick=False)
def test_people_figures_are_the_hand_counts(world, areas, county_leader):
    for month in (date(2025, 11, 1), date(2026, 10, 1), NOV):  # the nightly counts
        rollup_activity(month=month)
    figures = liaison_figures(county_leader, areas["ca"], period_from("month"))["total"]
    assert (figures["households"], figures["must_visit"], figures["must_unpaired"]) == (5 - 1, 2, 1)
    assert figures["coverage"] == 50.0
    assert (figures["contacts"], figures["visits_in"], figures["stay_days"]) == (3, 3, 7)
    assert (figures["cadres"], figures["cadres_behind"]) == (5, 2)
    assert figures["quota_by_rank"] == {
        "village": [1, 0],
        "township": [2, 1],
        "county": [1, 1],
        "bureau": [1, 0],
    }
    assert figures["without_responsible"] == 1  # 乙村
    assert figures["breaking_rules"] == cadres_breaking_rules(county_leader, areas["ca"]).count()
    last_year = liaison_figures(county_leader, areas["ca"], period_from("month").last_year())
    assert last_year["total"]["contacts"] == 1
    previous = liaison_figures(county_leader, areas["ca"], period_from("month").previous())
    assert (previous["total"]["contacts"], previous["total"]["stay_days"]) == (3, 7)


@time_machine.travel(NOW, tick=False)
def test_larger_areas_read_the_rollup_with_the_same_figures(world, areas, county_leader):
    """A city's month in progress comes from the nightly rollup: the same definitions."""
    rollup_ledger(month=NOV)
    rollup_activity(month=NOV)
    city = ledger_figures(county_leader, areas["c"], period_from("month"))
    assert city["computed_at"] is not None
    county_row = city["children"][areas["ca"].path]
    assert {k: county_row[k] for k in LEDGER_COUNTY} == LEDGER_COUNTY
    assert (city["total"]["new"], city["total"]["pending"]) == (5, 4)
    live = by_kind_and_topic(county_leader, areas["ca"], period_from("month"))
    stored = by_kind_and_topic(county_leader, areas["c"], period_from("month"))
    same_scan = by_kind_and_topic(
        county_leader,
        areas["ca"],
        period_from("month"),
        ledger_figures(county_leader, areas["ca"], period_from("month")),
    )
    assert same_scan == live  # the breakdown counted with the ledger's figures, one scan
    county_kinds = {r["key"]: (r["new"], r["pending"], r["overdue_open"]) for r in live["by_kind"]}
    assert county_kinds == {"difficulty": (4, 3, 2)}
    assert {r["key"]: (r["new"], r["pending"]) for r in stored["by_kind"]} == {"difficulty": (5, 4)}
    people = liaison_figures(county_leader, areas["c"], period_from("month"))
    row = people["children"][areas["ca"].path]
    assert (row["cadres"], row["cadres_behind"], row["contacts"], row["must_unpaired"]) == (
        5,
        2,
        3,
        1,
    )


@time_machine.travel(NOW, tick=False)
def test_every_page_shows_the_same_figures(world, areas, county_leader, client, api_client):
    rollup_activity(month=NOV)
    county = areas["ca"]
    client.force_login(county_leader)
    board = client.get(reverse("dashboard:area", args=[county.pk]))
    assert board.status_code == 200
    html = board.content.decode()
    for key, value in (("new", 4), ("pending", 3), ("overdue", 3), ("escalated", 1)):
        assert f'data-figure="{key}">{value}<' in html, key
    assert 'data-figure="on_time_rate">50%<' in html
    assert 'data-figure="contacts">3<' in html and 'data-figure="coverage">50%<' in html
    client.post(reverse("responsibility_areas:set_current"), {"area": county.pk})
    home = client.get(reverse("home")).context["ledger_counts"]
    assert (home["pending"], home["overdue"], home["escalated"]) == (3, 3, 1)
    monthly = client.get(reverse("grievances:monthly")).context["total"]
    assert (monthly["new"], monthly["pending"], monthly["overdue"]) == (4, 3, 3)
    api_client.force_authenticate(county_leader)
    api = api_client.get(f"/api/v1/dashboard/{county.pk}/").json()
    assert {k: api["figures"][k] for k in LEDGER_COUNTY} == LEDGER_COUNTY
    assert (api["figures"]["contacts"], api["figures"]["cadres_behind"]) == (3, 2)
    book = load_workbook(BytesIO(client.get(reverse("dashboard:export", args=[county.pk])).content))
    overview = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert overview["超期"] == 3 and overview["新增事项"] == 4 and overview["按时办结率"] == "50.0%"


@time_machine.travel(NOW, tick=False)
def test_the_rows_behind_a_figure_are_the_figure(world, areas, county_leader, client):
    client.force_login(county_leader)
    county = areas["ca"]
    for key, numbers in (
        ("overdue", {"B", "C", "F"}),
        ("new", {"A", "B", "D", "F"}),
        ("escalated", {"F"}),
        ("on_time_rate", {"A"}),
        ("closed_out", {"E"}),
    ):
        response = client.get(reverse("dashboard:rows", args=[county.pk, key]) + "?period=month")
        listed = client.get(response["Location"])
        shown = {m.number for m in listed.context["page"].object_list}
        assert shown == {world[n].number for n in numbers}, key


def test_out_of_scope_dashboards_are_404(areas, county_leader, client, api_client, clerk_a):
    client.force_login(county_leader)
    assert client.get(reverse("dashboard:area", args=[areas["cb"].pk])).status_code == 404
    assert client.get(reverse("dashboard:export", args=[areas["c"].pk])).status_code == 404
    api_client.force_authenticate(county_leader)
    assert api_client.get(f"/api/v1/dashboard/{areas['cb'].pk}/").status_code == 404
    client.force_login(clerk_a)  # a clerk reads the township's board, not the county's
    assert client.get(reverse("dashboard:area", args=[areas["ta"].pk])).status_code == 200
    assert client.get(reverse("dashboard:area", args=[areas["ca"].pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_cached_dashboard_never_outlives_a_write(
    areas,
    county_leader,
    client,
    ledger,  # noqa: F811
    make_matter,  # noqa: F811
):
    """The dashboard is kept under the data generation; a committed write moves it on."""
    client.force_login(county_leader)
    url = reverse("dashboard:area", args=[areas["ca"].pk])
    assert 'data-figure="new">0<' in client.get(url).content.decode()
    assert 'data-figure="new">0<' in client.get(url).content.decode()  # served from the cache
    make_matter()  # a service: its audit record moves the generation on after the commit
    assert 'data-figure="new">1<' in client.get(url).content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("username", ["county_leader", "township_leader", "clerk_a"])
def test_every_link_on_the_board_opens_a_page(world, areas, client, username, request):
    """Each figure's link, the drill-down and the breadcrumb open a page for every reader."""
    import re

    user = request.getfixturevalue(username)
    client.force_login(user)
    area = areas["ca"] if username == "county_leader" else areas["ta"]
    for period in ("month", "last_month", "year", "2026-03"):
        page = client.get(reverse("dashboard:area", args=[area.pk]) + f"?period={period}")
        assert page.status_code == 200
        links = set(
            re.findall(
                r'href="(/(?:dashboard|ledger|households|cadres|diary)[^"]*)"',
                page.content.decode(),
            )
        )
        assert links
        for link in sorted(links):
            response = client.get(link.replace("&amp;", "&"), follow=True)
            assert response.status_code == 200, link


def test_the_board_reads_in_english_too(areas, county_leader, client):
    client.force_login(county_leader)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("dashboard:area", args=[areas["ca"].pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Dashboard" in html and "Settled on time" in html


@time_machine.travel(NOW, tick=False)
def test_the_diaries_behind_an_activity_figure(world, areas, county_leader, client):
    client.force_login(county_leader)
    for key, count in (("contacts", 3), ("visits_in", 3), ("stay_days", 2)):
        response = client.get(
            reverse("dashboard:rows", args=[areas["ca"].pk, key]) + "?period=month"
        )
        listed = client.get(response["Location"])
        assert len(listed.context["page"].object_list) == count, key
        assert "2026年11月" in listed.content.decode()
