"""Contact cards: printable sheets in scope, a QR code to a public page that leaks nothing."""

import re
from datetime import date

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from foundation import crypto
from foundation.qr import qr_svg
from liaison.cards import household_pk_from_token, household_token, mask_name, place_labels
from liaison.models import HouseholdCategory, PairingKind, Rank
from liaison.services import end_pairing, pair_household, register_cadre
from tests.liaison.factories import make_cadre, make_household, phone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(date(2026, 3, 16), tick=False):
        yield


@pytest.fixture
def village(areas):
    """甲村: 王大明 (in 一组) with two cadres, 欧阳春 with one, 赵旧 whose pairing ended,
    孙无 never paired; 乙村 (the sibling township): 钱邻 with 陈乙."""
    liu = make_cadre(areas["ta"], name="刘强", duties="联系甲村一组，收集民情")
    he = register_cadre(
        actor=None,
        area=areas["ta"],
        name="何静",
        rank=Rank.COUNTY,
        unit="思茅区农业农村局",
        post="驻村工作队员",
        phone=phone(),
    )
    wang = make_household(areas["ga"], name="王大明", categories=[HouseholdCategory.POOR])
    ouyang = make_household(areas["va"], name="欧阳春")
    zhao = make_household(areas["va"], name="赵旧")
    make_household(areas["va"], name="孙无")
    for cadre, household in ((liu, wang), (he, wang), (liu, ouyang)):
        pair_household(actor=None, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL)
    ended = pair_household(actor=None, cadre=he, household=zhao, kind=PairingKind.TERRITORIAL)
    end_pairing(actor=None, pairing=ended)
    chen = make_cadre(areas["tb"], name="陈乙")
    qian = make_household(areas["vb"], name="钱邻")
    pair_household(actor=None, cadre=chen, household=qian, kind=PairingKind.TERRITORIAL)
    return {
        "liu": liu,
        "he": he,
        "wang": wang,
        "ouyang": ouyang,
        "zhao": zhao,
        "chen": chen,
        "qian": qian,
    }


def _cards(page):
    return page.count('data-testid="contact-card"')


def test_village_sheet_has_one_card_per_active_pairing(client, clerk_a, areas, village):
    client.force_login(clerk_a)
    response = client.get(reverse("cards_village", args=[areas["va"].pk]))
    page = response.content.decode()
    assert response.status_code == 200 and _cards(page) == 3
    assert page.count("王大明") == 2 and page.count("欧阳春") == 1
    assert "赵旧" not in page and "孙无" not in page and "钱邻" not in page
    assert "思茅镇 甲村 一组" in page and "思茅镇 甲村" in page
    assert village["liu"].phone in page and village["he"].phone in page
    assert "联系甲村一组，收集民情" in page  # the cadre's own duties
    assert "联系服务群众、收集民情民意、帮助解决困难" in page  # the default line for 何静
    assert page.count("<svg") == 3 and "window.print()" in page
    assert "民情联系卡" in page and "干群连心卡" in page


def test_cadre_sheet_has_the_cadres_paired_households(client, clerk_a, village):
    client.force_login(clerk_a)
    page = client.get(reverse("cards_cadre", args=[village["liu"].pk])).content.decode()
    assert _cards(page) == 2 and "王大明" in page and "欧阳春" in page
    assert "何静" not in page.split('class="card-sheet"', 1)[1]


def test_cards_never_print_household_id_or_phone(client, clerk_a, areas, village):
    client.force_login(clerk_a)
    page = client.get(reverse("cards_village", args=[areas["va"].pk])).content.decode()
    wang = village["wang"]
    assert crypto.decrypt(wang.phone_encrypted) not in page
    assert wang.id_number_masked not in page and wang.phone_masked not in page


def test_sibling_township_gets_404_on_cards(client, clerk_b_sibling, areas, village):
    client.force_login(clerk_b_sibling)
    assert client.get(reverse("cards_village", args=[areas["va"].pk])).status_code == 404
    assert client.get(reverse("cards_village", args=[areas["ga"].pk])).status_code == 404
    assert client.get(reverse("cards_cadre", args=[village["liu"].pk])).status_code == 404
    own = client.get(reverse("cards_village", args=[areas["vb"].pk])).content.decode()
    assert _cards(own) == 1 and "钱邻" in own


def test_cards_need_login_and_a_village_level_area(client, clerk_a, areas, village):
    response = client.get(reverse("cards_village", args=[areas["va"].pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(clerk_a)
    assert client.get(reverse("cards_village", args=[areas["ta"].pk])).status_code == 404


def test_village_and_cadre_pages_link_to_the_cards(client, clerk_a, areas, village):
    client.force_login(clerk_a)
    area_page = client.get(reverse("responsibility_areas:detail", args=[areas["va"].pk]))
    assert reverse("cards_village", args=[areas["va"].pk]) in area_page.content.decode()
    township_page = client.get(reverse("responsibility_areas:detail", args=[areas["ta"].pk]))
    assert 'data-testid="cards-link"' not in township_page.content.decode()
    cadre_page = client.get(reverse("cadre_detail", args=[village["liu"].pk]))
    assert reverse("cards_cadre", args=[village["liu"].pk]) in cadre_page.content.decode()


def test_qr_code_links_to_the_public_page(client, clerk_a, village):
    client.force_login(clerk_a)
    with override_settings(PUBLIC_BASE_URL="https://mq.example.gov.cn/"):
        page = client.get(reverse("cards_cadre", args=[village["he"].pk])).content.decode()
    url = "https://mq.example.gov.cn" + reverse(
        "card_public", args=[household_token(village["wang"].pk)]
    )
    assert qr_svg(url) in page


def test_public_page_shows_cadres_and_leaks_no_id_or_phone(client, village):
    wang = village["wang"]
    response = client.get(reverse("card_public", args=[household_token(wang.pk)]))
    page = response.content.decode()
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex, nofollow"
    assert "王*" in page and "王大明" not in page and "大明" not in page
    assert "思茅镇 甲村 一组" in page
    for cadre in (village["liu"], village["he"]):
        assert cadre.name in page and cadre.post in page and cadre.phone in page
    assert "满意度测评" not in page  # no survey open here: nothing is promised (issue 11)
    phone = crypto.decrypt(wang.phone_encrypted)
    id_number = crypto.decrypt(wang.id_number_encrypted)
    for secret in (
        phone,
        id_number,
        wang.id_number_masked,
        wang.phone_masked,
        wang.id_last4,
        wang.phone_last4,
    ):
        assert secret not in page
    assert not re.search(r"\d{6}(19|20)\d{6}", page)


def test_public_page_of_a_household_without_a_cadre_says_so(client, village):
    page = client.get(reverse("card_public", args=[household_token(village["zhao"].pk)]))
    assert page.status_code == 200 and "何静" not in page.content.decode()


def test_bad_or_forged_token_is_404(client, village):
    token = household_token(village["wang"].pk)
    value, signature = token.split(":")
    other = household_token(village["ouyang"].pk).split(":")[0]
    for bad in (
        f"{other}:{signature}",
        f"{value}:{signature[:-1]}x",
        "MQ",
        str(village["wang"].pk),
        "",
        "bm90LWFuLWludA:abc",
    ):
        if bad:
            assert client.get(reverse("card_public", args=[bad])).status_code == 404, bad
    assert client.get(f"/cards/h/{village['wang'].pk}/").status_code == 404
    missing = household_token(999_999)
    assert client.get(reverse("card_public", args=[missing])).status_code == 404


def test_token_round_trip_and_salt():
    from django.core import signing

    assert household_pk_from_token(household_token(42)) == 42
    assert household_pk_from_token(signing.Signer().sign_object(42)) is None
    assert (
        household_pk_from_token(signing.Signer(salt="liaison.cards.household").sign_object(True))
        is None
    )


def test_mask_name():
    assert [mask_name(n) for n in ("王大明", "李四", "欧阳春", "欧阳", " 张三 ", "")] == [
        "王*",
        "李*",
        "欧阳*",
        "欧*",
        "张*",
        "",
    ]


def test_place_labels_name_township_village_and_group(areas):
    labels = place_labels([areas["ga"].path, areas["vb"].path])
    assert labels == {areas["ga"].path: "思茅镇 甲村 一组", areas["vb"].path: "南屏镇 乙村"}


def test_qr_svg_is_inline_and_sized_by_css():
    svg = qr_svg("https://mq.example.gov.cn/cards/h/MQ:abc/")
    assert svg.startswith("<svg viewBox=") and 'class="qr"' in svg
    assert "width=" not in svg.split(">", 1)[0] and "http" not in svg and "<?xml" not in svg


def test_printed_cards_survive_a_rotated_secret_key(settings):
    from liaison.cards import household_pk_from_token, household_token

    token = household_token(42)
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789"
    assert household_pk_from_token(token) == 42
    assert household_pk_from_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
