"""A county leader reads the dashboard: period switch, drill-down and back, the rows behind
a figure, and the Excel download; the numbers are the ledger's own."""

from datetime import timedelta
from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from grievances.models import Matter
from grievances.services import file_matter
from liaison.models import MatterKind, Rank
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.liaison.factories import make_cadre, make_household


def _matters(areas):
    today = timezone.localdate()
    owner = make_cadre(areas["va"], name="刘强", rank=Rank.VILLAGE)
    households = [
        make_household(areas["va"], name="王大"),
        make_household(areas["vb"], name="李四"),
    ]
    made = []
    for household, back, deadline in (
        (households[0], 40, -20),  # open, overdue
        (households[0], 2, 10),  # new, open
        (households[1], 35, -5),  # open, overdue (南屏镇)
    ):
        matter = file_matter(
            actor=None,
            owner=owner,
            applicant=household,
            kind=MatterKind.DIFFICULTY,
            description="自来水管破裂，吃水困难",
            source="home_visit",
            received_on=today - timedelta(days=back),
        )
        Matter.objects.filter(pk=matter.pk).update(deadline=today + timedelta(days=deadline))
        made.append(matter)
    return made


def test_county_leader_reads_drills_and_downloads(page, live_server, areas, county_leader):
    _matters(areas)
    log_in(page, live_server, "county_leader", PASSWORD)
    page.get_by_test_id("open-dashboard").click()
    expect(page.locator("h1")).to_contain_text("思茅区")
    expect(page.locator("body[data-charts-ready='1']")).to_have_count(1)
    expect(page.locator("#chart-children svg")).to_have_count(1)  # ECharts drew, offline
    overdue = page.get_by_test_id("board-ledger").locator("[data-figure=overdue]")
    expect(overdue).to_have_text("2")

    page.get_by_test_id("period-switch").get_by_role("link", name="上月").click()
    expect(page.get_by_test_id("board-period")).to_contain_text("月")
    page.get_by_test_id("period-switch").get_by_role("link", name="本月").click()

    # The side-by-side table sorts by a column (here: open matters, most first on a second click).
    header = page.get_by_test_id("children-table").locator("thead th").nth(12)
    header.locator("button").click()
    header.locator("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    rows = page.get_by_test_id("children-table").locator("tbody tr")
    expect(rows.first.locator("td").nth(11)).to_have_attribute("data-value", "2")  # 思茅镇 first
    expect(rows.last.locator("td").nth(11)).to_have_attribute("data-value", "1")

    # Printed for the weekly meeting: the charts stay, the buttons go.
    page.emulate_media(media="print")
    expect(page.get_by_test_id("period-switch").get_by_role("link", name="上月")).to_be_hidden()
    expect(page.locator("#chart-trend-ledger svg")).to_be_visible()
    page.emulate_media(media="screen")

    page.get_by_test_id("children-table").get_by_role("link", name="思茅镇").click()
    expect(page.locator("h1")).to_contain_text("思茅镇")
    expect(page.get_by_test_id("board-ledger").locator("[data-figure=overdue]")).to_have_text("1")
    page.get_by_test_id("children-table").get_by_role("link", name="甲村").click()
    expect(page.locator("h1")).to_contain_text("甲村")
    page.get_by_test_id("board-crumbs").get_by_role("link", name="思茅区").click()
    expect(page.locator("h1")).to_contain_text("思茅区")

    with page.expect_download() as download:
        page.get_by_test_id("board-export").click()
    book = load_workbook(BytesIO(open(download.value.path(), "rb").read()))
    overview = {r[0]: r[1] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert overview["超期"] == 2 and overview["在办事项"] == 3

    page.get_by_test_id("board-ledger").locator("[data-figure=overdue]").click()
    rows = page.get_by_test_id("ledger-table").locator("tbody tr")
    expect(rows).to_have_count(2)  # the ledger's own list shows the two behind the figure

    # The area picker names its areas legibly (it was white on white).
    page.locator(".picker-toggle").click()
    pick = page.get_by_test_id("picker-list").locator("button.pick").first
    expect(pick).to_be_visible()
    colour = pick.evaluate("b => getComputedStyle(b).color")
    assert colour not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
