"""The diary list filters (cadre, month, kind, search) and exports what it shows (issue 13 §3)."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from foundation.models import AuditEvent
from liaison import services
from liaison.models import VisitKind
from tests.liaison.factories import make_cadre, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def diaries(areas, clerk_a):
    liu = make_cadre(areas["ta"], name="刘强")
    wang = make_cadre(areas["ta"], name="王芳")
    household = make_household(areas["ga"], name="赵大")

    def visit(cadre, day, kind=VisitKind.HOME, place="", stay_days=0):
        return services.record_visit(
            actor=clerk_a,
            cadre=cadre,
            visited_on=day,
            kind=kind,
            households=[household],
            place=place,
            stay_days=stay_days,
        )

    return {
        "liu_oct": visit(liu, date(2026, 10, 9), place='=HYPERLINK("x")'),
        "liu_nov": visit(liu, date(2026, 11, 3), stay_days=2),
        "wang_nov": visit(wang, date(2026, 11, 4), kind=VisitKind.PHONE),
        "liu": liu,
        "household": household,
    }


def _listed(client, **params):
    page = client.get(reverse("visit_list"), params)
    assert page.status_code == 200
    return {v.pk for v in page.context["page"]}


def test_filters_by_cadre_month_kind_and_search(client, clerk_a, diaries):
    client.force_login(clerk_a)
    liu = diaries["liu"]
    assert _listed(client, cadre=liu.pk) == {diaries["liu_oct"].pk, diaries["liu_nov"].pk}
    assert _listed(client, cadre=liu.pk, month="2026-11") == {diaries["liu_nov"].pk}
    # As the page's form sends it: the empty selects mean "any".
    both = {"cadre": liu.pk, "month": "2026-11", "kind": "", "q": "", "visited_on_after": ""}
    assert _listed(client, **both) == {diaries["liu_nov"].pk}
    assert _listed(client, kind="phone") == {diaries["wang_nov"].pk}
    assert _listed(client, q="王芳") == {diaries["wang_nov"].pk}
    assert len(_listed(client, q="赵大")) == 3
    page = client.get(reverse("visit_list"), {"month": "2026-13"})
    assert "请按“年-月”填写月份" in page.content.decode()


def test_the_export_is_what_the_filter_shows_with_place_columns(client, clerk_a, diaries, areas):
    client.force_login(clerk_a)
    response = client.get(reverse("visit_export"), {"cadre": diaries["liu"].pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    header = rows[0]
    for column in ("乡（镇、街道）", "村", "村民小组", "住村天数", "地点"):
        assert column in header, header
    assert len(rows) == 3  # the two diaries of 刘强, newest first
    record = dict(zip(header, rows[1], strict=True))
    assert rows[1][0] == "2026-11-03"
    assert record["乡（镇、街道）"] == areas["ta"].name
    assert record["住村天数"] == 2
    older = dict(zip(header, rows[2], strict=True))
    assert older["地点"].startswith("'=")  # a formula typed into a diary is never run
    event = AuditEvent.objects.get(action="list.exported")
    assert event.data["rows"] == 2 and event.data["filters"]["cadre"] == str(diaries["liu"].pk)


def test_a_saved_diary_shows_place_stay_days_and_where(client, clerk_a, diaries, areas):
    client.force_login(clerk_a)
    html = client.get(reverse("visit_detail", args=[diaries["liu_nov"].pk])).content.decode()
    assert 'data-testid="visit-stay-days">2<' in html
    assert areas["ta"].name in html


def test_the_households_export_has_place_columns_and_masked_numbers(client, clerk_a, areas):
    make_household(areas["ga"], name="钱多", phone="13912345678")
    client.force_login(clerk_a)
    response = client.get(reverse("household_export"), {"q": "钱多"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2
    assert (record["乡（镇、街道）"], record["村"], record["村民小组"]) == (
        "思茅镇",
        "甲村",
        "一组",
    )
    assert record["手机号码"] == "139****5678"
    assert "13912345678" not in str(rows)
    assert AuditEvent.objects.filter(action="list.exported", data__what="households").exists()


def test_the_cadres_export_has_place_columns_and_masked_phones(client, clerk_a, areas):
    cadre = make_cadre(areas["ta"], name="孙立")
    client.force_login(clerk_a)
    response = client.get(reverse("cadre_export"), {"q": "孙立"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2 and record["乡（镇、街道）"] == "思茅镇"
    assert cadre.phone not in str(rows) and "****" in record["手机号码"]


def test_a_bad_household_filter_is_said_not_ignored(client, clerk_a, areas):
    make_household(areas["ga"], name="钱多")
    client.force_login(clerk_a)
    page = client.get(reverse("household_list"), {"category": "no-such-category"})
    html = page.content.decode()
    assert 'data-testid="filter-errors"' in html and "钱多" not in html
    assert "选择一个有效的选项" in html  # Django's own message, in Chinese
    client.cookies["django_language"] = "en"  # the language switch's cookie
    html = client.get(reverse("household_list"), {"category": "x"}).content.decode()
    assert "Select a valid choice" in html
