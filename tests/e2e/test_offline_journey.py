"""Diaries typed without signal, on a phone (issue 23 §1).

Before: the outbox entry was keyed by the form's first submission token, captured once, so a
second diary saved offline replaced the first; and after any offline save the page offered
to bring back an empty draft which, saved, replaced the real entry. Here a village cadre
saves three diaries offline — the third after the page was reloaded and its draft brought
back, as a user would — deletes a fourth before it goes, and once online finds exactly the
three in the database, each once, the first with its matter in the ledger.
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from grievances.models import Matter
from liaison.models import PairingKind, Visit, VisitMatter
from liaison.services import pair_household
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.liaison.factories import make_household

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cadre_with_households(village_cadre, areas):
    """The village cadre (王大明 paired) with three more paired households."""
    cadre, _household = village_cadre
    for name in ("李小红", "张三丰", "赵四海"):
        pair_household(
            actor=None,
            cadre=cadre,
            household=make_household(areas["ga"], name=name),
            kind=PairingKind.TERRITORIAL,
            start_date=date(2024, 1, 1),
        )
    return cadre


def _pick(page, name):
    # The cadre's own households, listed on a tap (the last list is kept for no signal).
    page.get_by_test_id("household-search").click()
    page.locator(".pick-household", has_text=name).first.click()
    expect(page.get_by_test_id("chosen-households")).to_contain_text(name)


def _save_offline(page, count):
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("offline-saved")).to_be_visible()
    expect(page.get_by_test_id("outbox-count")).to_have_text(str(count))
    # No draft is left behind by a saved entry: nothing to "bring back" later.
    assert page.evaluate("localStorage.getItem('liaison:draft:current')") is None


def _tokens(page):
    return page.evaluate(
        "JSON.parse(localStorage.getItem('liaison:outbox') || '[]').map(function (i) { return i.token; })"
    )


def test_three_diaries_saved_without_signal_arrive_once_each(
    browser, live_server, cadre_with_households
):
    cadre = cadre_with_households
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US")
    page = context.new_page()
    log_in(page, live_server, "liu", PASSWORD)
    page.goto(f"{live_server.url}/diary/new/")
    # The service worker keeps the diary page for when there is no signal.
    page.evaluate("navigator.serviceWorker.ready.then(function () { return true; })")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()
    page.get_by_test_id("household-search").click()  # the list of households, kept too
    expect(page.locator(".pick-household").first).to_be_visible()
    page.reload()

    context.set_offline(True)
    # A: a household and a matter for the ledger.
    _pick(page, "王大明")
    page.get_by_label("困难问题").fill("甲：屋顶漏雨")
    page.get_by_test_id("add-matter").click()
    row = page.get_by_test_id("matter-row").nth(0)
    row.locator("select[name$='-household']").select_option(index=1)
    row.locator("textarea[name$='-description']").fill("甲：自来水管破裂")
    _save_offline(page, 1)
    # B, typed right after, as the page invites.
    _pick(page, "李小红")
    page.get_by_label("困难问题").fill("乙：孩子上学路远")
    _save_offline(page, 2)
    # C: typing is interrupted (the page reloads, still without signal); the draft comes back.
    _pick(page, "张三丰")
    page.get_by_label("困难问题").fill("丙：腿脚不便")
    page.reload()
    expect(page.get_by_test_id("outbox-count")).to_have_text("2")
    page.get_by_test_id("draft-restore").get_by_role("button").click()
    expect(page.get_by_label("困难问题")).to_have_value("丙：腿脚不便")
    expect(page.get_by_test_id("chosen-households")).to_contain_text("张三丰")
    _save_offline(page, 3)
    # D, saved and then deleted before it goes.
    _pick(page, "赵四海")
    page.get_by_label("困难问题").fill("丁：录错了")
    _save_offline(page, 4)
    entries = page.get_by_test_id("outbox-entry")
    expect(entries).to_have_count(4)
    expect(entries.nth(0)).to_contain_text("王大明")
    expect(entries.nth(0)).to_contain_text("事项：1")
    tokens = _tokens(page)
    assert len(set(tokens)) == 4, tokens  # each entry its own submission token
    page.once("dialog", lambda dialog: dialog.accept())
    entries.filter(has_text="赵四海").get_by_test_id("outbox-delete").click()
    expect(page.get_by_test_id("outbox-count")).to_have_text("3")
    assert Visit.objects.count() == 0
    page.close()  # the tab is closed while still without signal

    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("outbox-sent")).to_contain_text("张三丰", timeout=20000)
    expect(page.get_by_test_id("outbox")).to_have_count(0)
    visits = Visit.objects.order_by("pk")
    assert [v.q_difficulties for v in visits] == [
        "甲：屋顶漏雨",
        "乙：孩子上学路远",
        "丙：腿脚不便",
    ]
    assert all(v.cadre == cadre for v in visits)
    assert VisitMatter.objects.get().description == "甲：自来水管破裂"
    assert Matter.objects.count() == 1
    page.reload()  # nothing waits any more, nothing is sent twice
    page.wait_for_timeout(500)
    assert Visit.objects.count() == 3
    context.close()
