from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in


def test_clerk_sees_only_her_township_in_the_picker_and_switches_language(
    page, live_server, clerk_a
):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录")
    log_in(page, live_server, "clerk_a", PASSWORD)
    expect(page.locator("h1")).to_have_text("思茅镇")

    page.click(".picker-toggle")
    panel = page.locator("#picker-panel")
    expect(panel.locator("[data-testid=picker-list]")).to_contain_text("思茅镇")
    panel.get_by_role("link", name="查看下级区域 思茅镇").click()
    expect(panel.locator("[data-testid=picker-list]")).to_contain_text("甲村")
    for foreign in ("南屏镇", "乙村", "宁洱县", "丙村"):
        expect(panel).not_to_contain_text(foreign)

    panel.locator("input[type=search]").fill("村")
    expect(panel.locator("[data-testid=picker-list]")).to_contain_text("甲村")
    expect(panel).not_to_contain_text("乙村")
    panel.locator("button.pick", has_text="甲村").click()
    expect(page.locator("#current-area-name")).to_have_text("甲村")

    page.click("[data-testid=lang-switch]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.click("[data-testid=lang-switch]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def test_five_wrong_passwords_lock_the_account_but_not_the_neighbour(
    page, live_server, clerk_a, clerk_b_sibling
):
    for _ in range(5):
        log_in(page, live_server, "clerk_a", "wrong-password")
    log_in(page, live_server, "clerk_a", PASSWORD)
    expect(page.locator("h1")).to_have_text("账号已锁定")
    log_in(page, live_server, "clerk_b", PASSWORD)
    expect(page.locator("h1")).to_have_text("南屏镇")
