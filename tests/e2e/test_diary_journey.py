"""A township clerk types a paper diary into the browser, and registers a household."""

from playwright.sync_api import expect

from liaison.models import PairingKind, Visit, VisitMatter
from liaison.services import pair_household
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.liaison.factories import make_cadre, make_household


def test_clerk_enters_a_diary_for_two_households_and_sees_it_on_the_cadres_page(
    page, live_server, areas, clerk_a
):
    cadre = make_cadre(areas["ta"], name="刘强")
    wang = make_household(areas["ga"], name="王大明")
    make_household(areas["va"], name="李小红")
    make_household(areas["vb"], name="李外村")  # the sibling township's: never offered
    pair_household(actor=None, cadre=cadre, household=wang, kind=PairingKind.TERRITORIAL)

    log_in(page, live_server, "clerk_a", PASSWORD)
    page.get_by_role("link", name="录入民情日记").first.click()
    expect(page.locator("h1")).to_have_text("录入民情日记")
    page.select_option("#id_cadre", label="刘强 · 副镇长")

    search = page.get_by_test_id("household-search")
    search.fill("WDM")  # pinyin initials
    expect(page.locator(".pick-household").first).to_contain_text("王大明")
    search.press("Enter")  # picks the first match, does not submit
    search.fill("李")
    expect(page.locator("#household-results")).to_contain_text("李小红")
    expect(page.locator("#household-results")).not_to_contain_text("李外村")
    page.locator(".pick-household", has_text="李小红").click()
    chips = page.get_by_test_id("chosen-households")
    expect(chips).to_contain_text("王大明")
    expect(chips).to_contain_text("李小红")

    page.get_by_label("困难问题").fill("孩子上学路远")
    page.get_by_test_id("add-matter").click()
    first = page.get_by_test_id("matter-row").nth(0)
    first.locator("select[name$='-household']").select_option(label="王大明（甲村 · 一组）")
    first.locator("textarea[name$='-description']").fill("医保卡丢失")
    first.locator("input[name$='-solved_on_spot']").check()
    page.get_by_test_id("add-matter").click()
    second = page.get_by_test_id("matter-row").nth(1)
    second.locator("select[name$='-household']").select_option(label="李小红（思茅镇 · 甲村）")
    second.locator("textarea[name$='-description']").fill("村道塌方，出行困难")

    # Forgot how the first matter was solved: a clear message, nothing lost.
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".field-error").first).to_contain_text("当场解决的事项请填写解决情况")
    expect(page.get_by_test_id("chosen-households")).to_contain_text("李小红")
    expect(page.get_by_label("困难问题")).to_have_value("孩子上学路远")
    expect(
        page.get_by_test_id("matter-row").nth(1).locator("textarea[name$='-description']")
    ).to_have_value("村道塌方，出行困难")
    assert Visit.objects.count() == 0

    page.get_by_test_id("matter-row").nth(0).locator("textarea[name$='-resolution']").fill(
        "当场帮助挂失补办"
    )
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("民情日记已保存")
    visit = Visit.objects.get()
    assert visit.entered_by.username == "clerk_a" and visit.cadre == cadre
    assert VisitMatter.objects.filter(solved_on_spot=True).count() == 1
    assert VisitMatter.objects.filter(solved_on_spot=False, owner=cadre).count() == 1

    page.get_by_role("link", name="刘强").first.click()
    day = visit.visited_on
    expect(page.get_by_test_id("my-households")).to_contain_text(
        f"{day.year}年{day.month}月{day.day}日"
    )
    expect(page.get_by_test_id("my-matters")).to_contain_text("村道塌方，出行困难")


def test_invalid_id_and_phone_get_a_chinese_message_and_the_typed_data_stays(
    page, live_server, areas, clerk_a
):
    log_in(page, live_server, "clerk_a", PASSWORD)
    page.goto(f"{live_server.url}/households/new/")
    page.select_option("#id_area", label="甲村")
    page.fill("#id_head_name", "孙大圣")
    page.fill("#id_id_number", "530802195803170019")  # wrong check character
    page.fill("#id_phone", "1380013800")  # ten digits
    page.fill("#id_address", "甲村十二号")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".has-error").filter(has=page.locator("#id_id_number"))).to_contain_text(
        "校验码"
    )
    expect(page.locator(".has-error").filter(has=page.locator("#id_phone"))).to_contain_text(
        "手机号"
    )
    expect(page.locator("#id_head_name")).to_have_value("孙大圣")
    expect(page.locator("#id_address")).to_have_value("甲村十二号")
    expect(page.locator("#id_id_number")).to_have_value("530802195803170019")
