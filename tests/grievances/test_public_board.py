"""The public notice board and the Open311 view: no login, pending matters, nothing personal."""

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from grievances.public import mask_name, public_summary
from grievances.services import close_out, resolve
from tests.liaison.factories import id_number, make_household

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
# An 18-character ID number or an 11-digit mobile, not part of a longer run of digits.
ID_OR_PHONE = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|1[3-9][0-9]{9})(?![0-9])")
ISO_WITH_ZONE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)$")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=False) as traveller:
        yield traveller


@pytest.fixture
def board_matters(ledger, make_matter, areas, township_leader, frozen):
    """Pending in 甲村 (one with a phone and ID typed in), one closed out in February, one in 乙村."""
    frozen.move_to(datetime(2026, 2, 10, 10, 0, tzinfo=SH))
    closed = make_matter(description="路灯不亮", received_on=date(2026, 2, 1))
    resolve(actor=None, matter=closed, resolution="已修好")
    close_out(actor=township_leader, matter=closed, feedback="满意", satisfaction="satisfied")
    frozen.move_to(datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    typed = f"低保申请，联系电话13800138000，身份证{id_number()}，请尽快办理并回复本人及家属"
    pending = make_matter(description=typed, received_on=date(2026, 3, 1))
    sibling = make_matter(
        applicant=make_household(areas["vb"], name="钱邻"),
        description="乙村的事",
        received_on=date(2026, 3, 2),
    )
    return {"closed": closed, "pending": pending, "sibling": sibling}


def test_mask_name_keeps_the_surname_only():
    assert mask_name("王大山") == "王*" and mask_name("王") == "王*"
    assert mask_name("欧阳修") == "欧阳*" and mask_name("") == ""


def test_summary_is_short_and_blots_out_long_numbers():
    summary = public_summary(
        "电话 138 0013 8000，身份证53080219580317001X，补助5000元" + "很长" * 40
    )
    assert "138" not in summary and "5308" not in summary and "5000元" in summary
    assert len(summary) == 60 and summary.endswith("…")


def test_the_village_board_needs_no_login_and_shows_pending_matters_masked(
    client, ledger, areas, board_matters
):
    response = client.get(reverse("public:board", args=[areas["va"].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert board_matters["pending"].number in page and "低保申请" in page
    assert "王*" in page and "王大" not in page
    assert "刘强" in page and ledger.owner.post in page  # the owner's name and post
    assert "2026-03-16" in page  # the deadline
    assert (
        board_matters["sibling"].number not in page and board_matters["closed"].number not in page
    )
    assert ID_OR_PHONE.search(page) is None
    assert re.search(r"\d{11}", page) is None  # no long digit run at all
    assert ledger.owner.phone not in page and ledger.household.id_number_masked not in page


def test_the_township_board_counts_last_months_closed_out(client, areas, board_matters):
    response = client.get(reverse("public:board", args=[areas["ta"].pk]))
    assert response.context["counts"] == {"pending": 1, "closed_last_month": 1}
    page = response.content.decode()
    assert "2026-02" in page and board_matters["pending"].number in page
    assert "public_board.css" in page


def test_the_board_prints_on_a4():
    from django.conf import settings

    css = (settings.BASE_DIR / "static/css/public_board.css").read_text()
    assert "size: A4" in css and "@media print" in css


def test_the_board_is_reached_by_division_code(client, areas, board_matters):
    response = client.get(reverse("public:board_by_code", args=["530802101201"]))
    assert response.status_code == 200 and response.context["area"] == areas["va"]
    assert (
        client.get(reverse("public:board_by_code", args=["530802101"])).context["area"]
        == areas["ta"]
    )


def test_only_villages_and_townships_have_a_board(client, areas):
    assert client.get(reverse("public:board", args=[areas["ca"].pk])).status_code == 404
    assert client.get(reverse("public:board_by_code", args=["530802000000"])).status_code == 404


def test_open311_services_lists_the_four_kinds(client, db):
    services = client.get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in services} == {
        "cadre_style",
        "difficulty",
        "shortcoming",
        "suggestion",
    }
    assert set(services[0]) >= {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }


def test_open311_requests_of_a_jurisdiction_map_status_and_hide_personal_data(
    client, areas, board_matters
):
    url = "/open311/v2/requests.json"
    everything = client.get(
        url,
        {"jurisdiction_id": "530802101000", "start_date": "2026-01-01", "end_date": "2026-03-10"},
    )
    assert everything.status_code == 200 and everything["Content-Type"] == "application/json"
    rows = everything.json()
    assert {r["service_request_id"]: r["status"] for r in rows} == {
        board_matters["pending"].number: "open",
        board_matters["closed"].number: "closed",
    }
    opened = client.get(url, {"jurisdiction_id": areas["ta"].pk, "status": "open"}).json()
    assert [r["service_request_id"] for r in opened] == [board_matters["pending"].number]
    request = opened[0]
    assert request["service_code"] == "difficulty" and request["agency_responsible"] == "甲村"
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert ISO_WITH_ZONE.match(request[key]), request[key]
    assert request["expected_datetime"].startswith("2026-03-16T") and request["lat"] is None
    text = json.dumps(rows, ensure_ascii=False)
    assert ID_OR_PHONE.search(text) is None and "王大" not in text and "王" not in text


def test_open311_refuses_bad_queries_with_its_error_shape(client, areas):
    url = "/open311/v2/requests.json"
    missing = client.get(url)
    assert missing.status_code == 400 and set(missing.json()[0]) == {"code", "description"}
    assert client.get(url, {"jurisdiction_id": "999999999999"}).status_code == 404
    assert (
        client.get(url, {"jurisdiction_id": areas["ta"].pk, "status": "pending"}).status_code == 400
    )
    too_long = {
        "jurisdiction_id": areas["ta"].pk,
        "start_date": "2025-01-01",
        "end_date": "2026-01-01",
    }
    assert client.get(url, too_long).status_code == 400


def test_open311_single_request_by_number(client, board_matters):
    number = board_matters["closed"].number
    rows = client.get(f"/open311/v2/requests/{number}.json").json()
    assert (
        len(rows) == 1 and rows[0]["service_request_id"] == number and rows[0]["status"] == "closed"
    )
    assert rows[0]["updated_datetime"].startswith("2026-02-10T")
    assert client.get("/open311/v2/requests/530802-2026-999999.json").status_code == 404
