"""The working day on a phone (390×844) and at the desk (issue 13).

- A cadre opens home, sees a red overdue matter in 待办, opens it and records progress;
  fills a diary with no connection, closes the tab, comes back online: it is sent once.
- A household opens its card's QR link, reports a matter, gets its reference and check code,
  and later sees its status; the paired cadre finds the report in 待办.
- A clerk filters the diary list by cadre and month and downloads the Excel, which has
  乡镇 / 村 / 组 columns.
"""

import io
import re
from datetime import timedelta

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from grievances.models import Matter, MatterSource, PublicReport
from grievances.services import file_matter
from liaison.cards import household_token
from liaison.models import MatterKind, Visit
from liaison.services import record_visit
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.liaison.factories import make_cadre, make_household

PHONE = {"width": 390, "height": 844}


def _fits_the_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"


def test_a_cadre_on_a_phone_handles_an_overdue_matter_and_files_a_diary_offline(
    browser, live_server, village_cadre
):
    cadre, household = village_cadre
    matter = file_matter(
        actor=None,
        owner=cadre,
        applicant=household,
        description="自来水管破裂",
        kind=MatterKind.DIFFICULTY,
        source=MatterSource.HOME_VISIT,
        received_on=timezone.localdate() - timedelta(days=40),
    )
    Matter.objects.filter(pk=matter.pk).update(deadline=timezone.localdate() - timedelta(days=3))

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US")
    page = context.new_page()
    log_in(page, live_server, "liu", PASSWORD)
    todo = page.get_by_test_id("todo")
    expect(todo).to_be_visible()
    overdue = todo.locator('[data-todo="my_matters"] li.overdue').first
    expect(overdue).to_contain_text(matter.number)
    expect(overdue.locator(".mark.overdue")).to_have_text("超期")
    _fits_the_phone(page)
    for link in page.locator(".mainnav a").all()[:4]:
        assert link.bounding_box()["height"] >= 44

    overdue.locator("a").click()
    expect(page.locator("h1")).to_contain_text(matter.number)
    _fits_the_phone(page)
    page.locator('details[data-action="start_work"] summary').click()
    page.locator('details[data-action="start_work"] button[type=submit]').click()
    expect(page.locator(".messages")).to_be_visible()
    matter.refresh_from_db()
    assert matter.status == "in_progress"

    # The paired household's page, on the phone.
    page.goto(f"{live_server.url}/households/{household.pk}/")
    expect(page.locator("h1")).to_contain_text("王大明")
    expect(page.locator("h1")).to_contain_text("甲村 / 一组")
    _fits_the_phone(page)

    # A diary with no signal.
    page.goto(f"{live_server.url}/diary/new/")
    _fits_the_phone(page)
    page.get_by_test_id("household-search").click()
    page.locator(".pick-household", has_text="王大明").first.click()
    expect(page.get_by_test_id("chosen-households")).to_contain_text("王大明")
    context.set_offline(True)
    page.get_by_label("困难问题").fill("屋顶漏雨，需要维修")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    expect(page.get_by_test_id("outbox")).to_contain_text("王大明")
    assert Visit.objects.count() == 0
    page.close()  # the tab is closed while still without signal

    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("outbox-sent")).to_be_visible(timeout=15000)
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert visit.cadre == cadre and "屋顶漏雨" in visit.q_difficulties
    page.reload()  # nothing waits any more, nothing is sent twice
    page.wait_for_timeout(500)
    expect(page.get_by_test_id("outbox")).to_have_count(0)
    assert Visit.objects.count() == 1
    context.close()


def test_a_household_reports_from_its_card_and_follows_it(browser, live_server, village_cadre):
    cadre, household = village_cadre
    token = household_token(household.pk)
    villager = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    page = villager.new_page()
    page.goto(f"{live_server.url}/cards/h/{token}/")
    expect(page.get_by_test_id("public-card")).to_contain_text("刘强")
    expect(page.locator(".brand")).not_to_have_attribute("href", re.compile(".*"))
    _fits_the_phone(page)
    page.get_by_test_id("board-link").click()  # the village's notice board, on the phone
    expect(page.locator("h1")).to_contain_text("甲村")
    _fits_the_phone(page)
    page.go_back()
    page.get_by_test_id("report-link").click()
    page.locator("#description").fill("村口路灯坏了一个月，晚上看不见路")
    page.get_by_test_id("report-submit").click()
    reference = page.get_by_test_id("report-reference").inner_text()
    code = page.get_by_test_id("report-code").inner_text()
    assert re.fullmatch(r"\d{6}", code)
    _fits_the_phone(page)

    # The paired cadre finds it in 待办 and takes it into the ledger.
    desk = browser.new_context(locale="en-US")
    cadre_page = desk.new_page()
    log_in(cadre_page, live_server, "liu", PASSWORD)
    section = cadre_page.locator('[data-todo="reports"]')
    expect(section).to_contain_text(reference)
    section.locator("a").first.click()
    cadre_page.get_by_test_id("accept").first.click()
    expect(cadre_page.locator(".messages")).to_contain_text("由您首接负责")
    report = PublicReport.objects.get(reference=reference)
    assert report.matter.owner == cadre

    page.get_by_role("link", name="查询办理进度").click()
    page.locator("#code").fill(code)
    page.get_by_test_id("track-submit").click()
    expect(page.get_by_test_id("track-result")).to_contain_text(report.matter.number)
    expect(page.get_by_test_id("track-status")).to_have_text("已登记")
    villager.close()
    desk.close()


def test_a_clerk_filters_the_diary_list_and_downloads_it(page, live_server, areas, clerk_a):
    liu = make_cadre(areas["ta"], name="刘强")
    wang = make_cadre(areas["ta"], name="王芳")
    household = make_household(areas["ga"], name="赵大")
    today = timezone.localdate()
    month = today.replace(day=1)
    for cadre, day in ((liu, month), (liu, month - timedelta(days=5)), (wang, month)):
        record_visit(
            actor=clerk_a, cadre=cadre, visited_on=day, kind="home", households=[household]
        )
    log_in(page, live_server, "clerk_a", PASSWORD)
    page.goto(f"{live_server.url}/diary/")
    page.get_by_test_id("filter-cadre").select_option(label="刘强")
    page.get_by_test_id("filter-month").fill(f"{month:%Y-%m}")
    page.get_by_test_id("diary-filters").locator("button").click()
    expect(page.get_by_test_id("diary-table").locator("tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2
    header = rows[0]
    assert {"乡（镇、街道）", "村", "村民小组"} <= set(header)
    record = dict(zip(header, rows[1], strict=True))
    assert (record["乡（镇、街道）"], record["村"], record["村民小组"]) == (
        "思茅镇",
        "甲村",
        "一组",
    )
    assert record[header[1]] == "刘强"
