"""Issue 11 in Chromium: a household answers on its phone through the card's QR page (and
its second answer replaces the first); a clerk enters paper questionnaires with the keyboard
only; a county leader sees a cadre over one third and resolves the case."""

from datetime import date

from django.urls import reverse
from playwright.sync_api import expect

from evaluations import services
from evaluations.models import AccountabilityCase, CaseStatus, Response, ResponseAnswer
from liaison.cards import household_token
from liaison.models import PairingKind
from liaison.services import pair_household
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.liaison.factories import make_cadre, make_household, sheet

QUESTIONS = [
    {"code": "q1", "text": "您对结对干部的工作满意吗？", "kind": "scale"},
    {"code": "q2", "text": "意见和建议", "kind": "text"},
]


def _campaign(areas):
    version = services.create_questionnaire(
        actor=None, name="结对干部满意度", subject="cadre", questions=QUESTIONS
    )
    campaign = services.create_campaign(
        actor=None,
        area=areas["ta"],
        name="2026年度测评",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
    )
    return services.open_campaign(actor=None, campaign=campaign)


def test_a_household_answers_with_its_code_and_can_change_its_answer(browser, live_server, areas):
    campaign = _campaign(areas)
    cadre = make_cadre(areas["ta"], name="刘强")
    household = make_household(areas["ga"], name="王大明")
    pair_household(actor=None, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL)
    ((_, code),) = services.issue_ballot_codes(actor=None, campaign=campaign, village=areas["va"])
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    page.goto(live_server.url + reverse("card_public", args=[household_token(household.pk)]))
    survey = page.get_by_test_id("survey")
    expect(survey).to_contain_text("2026年度测评")
    expect(page.locator("body")).not_to_contain_text("王大明")
    expect(page.locator("input[type=radio]")).to_have_count(0)  # the card is no ballot
    page.get_by_test_id("survey-link").click()
    page.get_by_test_id("ballot-input").fill(f"{code[:5].lower()}-{code[5:]}")
    page.get_by_role("button", name="继续").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.get_by_label("不满意").check()
    page.locator("textarea[name=q2]").fill("希望多来走访")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("survey-thanks")).to_be_visible()
    page.get_by_test_id("survey-more").click()
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)  # never shown again
    expect(page.locator("textarea[name=q2]")).to_have_value("")
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("survey-thanks")).to_be_visible()
    assert Response.objects.filter(campaign=campaign).count() == 1
    assert ResponseAnswer.objects.get(question="q1").value == "satisfied"
    phone.close()


def test_a_clerk_enters_a_paper_batch_with_the_keyboard_only(page, live_server, areas, clerk_a):
    campaign = _campaign(areas)
    cadre = make_cadre(areas["ta"], name="李平")
    households = [make_household(areas["va"], name=f"户{n}") for n in range(2)]
    log_in(page, live_server, "clerk_a", PASSWORD)
    page.goto(live_server.url + reverse("evaluations:paper", args=[campaign.pk]))
    first = page.locator("input[name=r1-household]")
    first.focus()
    page.keyboard.type(str(households[0].pk))
    page.keyboard.press("Enter")  # Enter moves to the next field (the cadre), never submits
    assert page.evaluate("document.activeElement.name") == "r1-cadre"
    page.keyboard.press("ArrowDown")  # the first cadre: 李平
    page.keyboard.press("Tab")  # to q1
    page.keyboard.type("9")  # out of range
    page.keyboard.press("Tab")  # to q2
    page.keyboard.press("Control+Enter")  # send the batch
    expect(page.get_by_test_id("paper-errors")).to_contain_text("第 1 行")
    q1 = page.locator("input[name=r1-q1]")
    expect(q1).to_have_value("9")  # the batch is kept
    q1.focus()
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.type("2")
    expect(q1).to_have_value("2")
    page.locator("input[name=r1-number]").fill("0001")  # the sheet's printed number
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    expect(page.locator("ul.messages")).to_contain_text("已保存 1 份问卷")
    assert Response.objects.filter(campaign=campaign, cadre=cadre).count() == 1


def test_a_county_leader_sees_a_cadre_over_one_third_and_resolves_the_case(
    page, live_server, areas, county_leader, clerk_a
):
    campaign = _campaign(areas)
    cadre = make_cadre(areas["ta"], name="张差")
    rows = [
        services.PaperRow(
            make_household(areas["va"], name=f"户{n}"), cadre, {"q1": d, "q2": ""}, number=sheet()
        )
        for n, d in enumerate(["3", "3", "1"])
    ]
    services.record_paper_batch(actor=clerk_a, campaign=campaign, surveyor=clerk_a, rows=rows)
    log_in(page, live_server, "county_leader", PASSWORD)
    page.goto(live_server.url + reverse("evaluations:detail", args=[campaign.pk]))
    expect(page.get_by_test_id("results")).to_contain_text("超过三分之一")
    page.get_by_test_id("close-campaign").click()
    form = page.get_by_test_id("resolve-form")
    form.locator("select[name=action]").select_option("talk")
    form.locator("textarea[name=reason]").fill("已谈话提醒")
    form.get_by_role("button", name="记录").click()
    expect(page.get_by_test_id("cases")).to_contain_text("谈话提醒")
    assert AccountabilityCase.objects.get().status == CaseStatus.RESOLVED
