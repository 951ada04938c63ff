"""The public side of the contact card: report, acknowledge, follow (issue 13 §6)."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from grievances.models import Matter, MatterSource, Notification, PublicReport, ReportStatus
from liaison.cards import household_token
from liaison.models import PairingKind
from liaison.services import pair_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(ledger):
    pair_household(
        actor=None,
        cadre=ledger.owner,
        household=ledger.household,
        kind=PairingKind.TERRITORIAL,
        start_date=date(2024, 1, 1),
    )
    return household_token(ledger.household.pk)


def _report(client, token, text="村口的路灯坏了一个月"):
    page = client.post(reverse("public:report", args=[token]), {"description": text})
    html = page.content.decode()
    reference = re.search(r'data-testid="report-reference">(\d+)<', html).group(1)
    code = re.search(r'data-testid="report-code">(\d{6})<', html).group(1)
    return page, reference, code


def test_a_household_reports_its_cadre_takes_it_and_the_household_follows_it(client, ledger, card):
    anonymous = client
    page = anonymous.get(reverse("card_public", args=[card]))
    html = page.content.decode()
    assert reverse("public:report", args=[card]) in html and reverse("public:track") in html
    assert reverse("public:board", args=[ledger.areas["va"].pk]) in html
    assert 'class="brand" href' not in html  # the site's name does not send a villager to log in

    page, reference, code = _report(anonymous, card)
    assert page.status_code == 200
    report = PublicReport.objects.get(reference=reference)
    assert report.cadre == ledger.owner and report.status == ReportStatus.RECEIVED
    assert report.check_hash and code not in report.check_hash
    assert Notification.objects.filter(cadre=ledger.owner, kind="public_report").exists()

    # Before the cadre acknowledges it: received, waiting.
    followed = anonymous.post(reverse("public:track"), {"reference": reference, "code": code})
    assert "等待联系干部受理" in followed.content.decode()

    # The cadre finds it in 待办 and takes it into the ledger: the first-visit owner.
    cadre_client = type(client)()
    cadre_client.force_login(ledger.owner.user)
    home = cadre_client.get(reverse("home")).content.decode()
    assert 'data-todo="reports"' in home and reference in home
    response = cadre_client.post(
        reverse("grievances:report_accept", args=[report.pk]), {"kind": "difficulty"}
    )
    matter = Matter.objects.get(public_report__reference=reference)
    assert response.status_code == 302 and response["Location"] == matter.get_absolute_url()
    assert matter.owner == ledger.owner and matter.source == MatterSource.PUBLIC_REPORT
    assert matter.applicant == ledger.household
    # A second press changes nothing.
    cadre_client.post(reverse("grievances:report_accept", args=[report.pk]), {"kind": "difficulty"})
    assert Matter.objects.filter(public_report__reference=reference).count() == 1

    followed = anonymous.post(reverse("public:track"), {"reference": reference, "code": code})
    html = followed.content.decode()
    assert matter.number in html and 'data-testid="track-status">已登记<' in html
    assert ledger.household.head_name not in html  # no names on the public side


def test_a_wrong_check_code_or_a_bad_card_gets_a_chinese_answer(client, ledger, card):
    _page, reference, code = _report(client, card)
    wrong = "000000" if code != "000000" else "111111"
    page = client.post(reverse("public:track"), {"reference": reference, "code": wrong})
    assert page.status_code == 404 and "没有找到" in page.content.decode()
    for url in (
        reverse("card_public", args=["not-a-token"]),
        reverse("public:report", args=["not-a-token"]),
    ):
        page = client.get(url)
        assert page.status_code == 404
        assert "二维码" in page.content.decode()


def test_an_empty_report_is_refused_and_keeps_nothing(client, ledger, card):
    page = client.post(reverse("public:report", args=[card]), {"description": "  "})
    assert page.status_code == 400 and "请说明" in page.content.decode()
    assert not PublicReport.objects.exists()


def test_reports_are_rate_limited_per_address(client, ledger, card, settings):
    settings.LIAISON_REPORT_RATE_PER_IP = "2/600"
    for _ in range(2):
        _report(client, card)
    page = client.post(reverse("public:report", args=[card]), {"description": "第三次"})
    assert page.status_code == 429
    assert PublicReport.objects.count() == 2


def test_someone_else_cannot_take_the_report(client, ledger, card, clerk_b_sibling):
    _page, reference, _code = _report(client, card)
    report = PublicReport.objects.get(reference=reference)
    client.force_login(clerk_b_sibling)
    page = client.post(reverse("grievances:report_accept", args=[report.pk]))
    assert page.status_code == 404
    assert not Matter.objects.filter(public_report=report).exists()


def test_the_notice_board_has_a_printable_qr_poster(client, ledger):
    page = client.get(reverse("public:board_poster", args=[ledger.areas["va"].pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html
    assert reverse("public:board", args=[ledger.areas["va"].pk]) in html
    assert get_user_model().objects.count() >= 1


def test_the_api_lists_the_cadres_reports_and_accepts_one(client, api_client, ledger, card):
    _page, reference, _code = _report(client, card)
    api_client.force_authenticate(ledger.owner.user)
    rows = api_client.get("/api/v1/public-reports/").json()["results"]
    assert [r["reference"] for r in rows] == [reference] and rows[0]["status"] == "received"
    report_id = rows[0]["id"]
    answer = api_client.post(f"/api/v1/public-reports/{report_id}/accept/", {"kind": "bad"})
    assert answer.status_code == 400 and "kind" in answer.json()
    answer = api_client.post(f"/api/v1/public-reports/{report_id}/accept/", {"topic": "路灯"})
    assert answer.status_code == 200 and answer.json()["matter_number"]
    assert Matter.objects.get(public_report__id=report_id).owner == ledger.owner


def test_the_api_hides_other_townships_reports(client, api_client, ledger, card, clerk_b_sibling):
    _report(client, card)
    api_client.force_authenticate(clerk_b_sibling)
    assert api_client.get("/api/v1/public-reports/").json()["results"] == []
