"""The zh-hans pages read in Chinese: no English words outside an allow-list (issue 13 §9).

Every page a user opens in a working day is fetched as each role; the visible text (tags,
scripts, styles and attribute values removed) must hold no run of Latin letters except
names of things that are written in Latin letters in Chinese offices too.
"""

import re
from datetime import date

import pytest
from django.urls import reverse

from grievances.models import MatterSource
from grievances.services import file_matter
from liaison.cards import household_token
from liaison.models import MatterKind, PairingKind
from liaison.services import pair_household, record_visit
from tests.liaison.factories import make_cadre, make_household

pytestmark = pytest.mark.django_db

ALLOWED = {
    "Excel",
    "English",  # the language switch names its language in that language
    "xlsx",  # file formats and checksums are written so in Chinese offices too
    "xls",
    "csv",
    "SHA",
    "test",  # the fixtures' own user name, as data
    "API",
    "QR",
    "Ctrl",
    "Enter",
    "WPS",
    "Open311",
    "ID",
    "PDF",
    "URL",
    "clerk_a",
    "county_leader",
    "root",
}


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"&[a-z]+;|&#\d+;", " ", text)


def english_words(html: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z][A-Za-z_]{2,}", visible_text(html)))
    return {w for w in words if w not in ALLOWED}


@pytest.fixture
def world(areas, clerk_a):
    cadre = make_cadre(areas["ta"], name="刘强")
    household = make_household(areas["ga"], name="王大明")
    pair_household(
        actor=None,
        cadre=cadre,
        household=household,
        kind=PairingKind.TERRITORIAL,
        start_date=date(2024, 1, 1),
    )
    visit = record_visit(
        actor=clerk_a,
        cadre=cadre,
        visited_on=date(2026, 11, 2),
        kind="home",
        households=[household],
        place="村委会",
        stay_days=1,
    )
    matter = file_matter(
        actor=None,
        owner=cadre,
        applicant=household,
        description="路灯坏了",
        kind=MatterKind.DIFFICULTY,
        source=MatterSource.HOME_VISIT,
        received_on=date(2026, 11, 2),
    )
    return {"cadre": cadre, "household": household, "visit": visit, "matter": matter}


def _pages(world, areas):
    return [
        reverse("home"),
        reverse("help"),
        reverse("household_list"),
        reverse("household_detail", args=[world["household"].pk]),
        reverse("cadre_list"),
        reverse("cadre_detail", args=[world["cadre"].pk]),
        reverse("visit_list"),
        reverse("visit_new"),
        reverse("visit_detail", args=[world["visit"].pk]),
        reverse("grievances:list"),
        reverse("grievances:detail", args=[world["matter"].pk]),
        reverse("grievances:print", args=[world["matter"].pk]),
        reverse("grievances:monthly"),
        reverse("grievances:close_out"),
        reverse("grievances:reports"),
        reverse("coverage"),
        reverse("import_list"),
        reverse("meetings:list"),
        reverse("supervision:list"),
        reverse("dashboard:index"),
        reverse("audit_log"),
        reverse("responsibility_areas:index"),
    ]


@pytest.mark.parametrize("who", ["clerk_a", "county_leader"])
def test_pages_hold_no_english_words(client, request, world, areas, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    found = {}
    for url in _pages(world, areas):
        response = client.get(url, follow=True)
        if response.status_code != 200:
            continue  # not this role's page
        words = english_words(response.content.decode())
        if words:
            found[url] = sorted(words)
    assert not found, found


def test_public_pages_hold_no_english_words(client, world, areas):
    token = household_token(world["household"].pk)
    found = {}
    for url in (
        reverse("card_public", args=[token]),
        reverse("public:report", args=[token]),
        reverse("public:track"),
        reverse("public:board", args=[areas["va"].pk]),
        reverse("card_public", args=["bad"]),
    ):
        words = english_words(client.get(url).content.decode())
        if words:
            found[url] = sorted(words)
    assert not found, found
