"""The API has every resource the pages show: meetings, supervision notices, notifications,
responsibility assignments, commitments, the monthly ledger and roster imports — scoped
exactly like the pages (out of scope: not listed, 404), filtered and cursor-paginated."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from grievances.models import JointMeeting, Notification, SupervisionNotice
from liaison.models import Duty, Household, ImportStatus, Rank
from liaison.services import add_commitment, assign_responsibility
from tests.grievances.conftest import ledger, make_matter  # noqa: F401 - fixtures
from tests.liaison.factories import make_cadre
from tests.liaison.test_import_pages import bad_id, media, roster_row, xlsx  # noqa: F401

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(response):
    assert response.status_code == 200, response.content[:500]
    return {row["id"] for row in response.json()["results"]}


def test_meetings_and_notices_are_scoped_like_the_pages(areas, clerk_a, clerk_b_sibling, ledger):  # noqa: F811
    here = JointMeeting(level="township", held_on=date(2026, 3, 1), chair="王镇")
    here.place_in(areas["ta"])
    here.save()
    there = JointMeeting(level="township", held_on=date(2026, 3, 2), chair="陈南")
    there.place_in(areas["tb"])
    there.save()
    mine, theirs = _client(clerk_a), _client(clerk_b_sibling)
    assert _ids(mine.get("/api/v1/meetings/")) == {here.pk}
    assert _ids(theirs.get("/api/v1/meetings/")) == {there.pk}
    assert mine.get(f"/api/v1/meetings/{there.pk}/").status_code == 404
    assert mine.get(f"/api/v1/meetings/{here.pk}/").json()["decisions"] == []
    assert _ids(mine.get(f"/api/v1/meetings/?area={areas['tb'].pk}")) == set()
    notice = SupervisionNotice(
        recipient=ledger.owner,
        issuer_name="纪委",
        respond_by=date(2026, 4, 1),
        text="请尽快办理",
    )
    notice.place_in(areas["va"])
    notice.save()
    assert _ids(mine.get("/api/v1/supervision-notices/")) == {notice.pk}
    assert _ids(theirs.get("/api/v1/supervision-notices/")) == set()
    assert theirs.get(f"/api/v1/supervision-notices/{notice.pk}/").status_code == 404
    owner = _client(ledger.owner.user)  # the recipient sees it wherever it was issued
    assert _ids(owner.get("/api/v1/supervision-notices/?box=received")) == {notice.pk}


def test_notifications_are_the_callers_own_and_can_be_marked_read(ledger, clerk_a):  # noqa: F811
    owner = ledger.owner.user
    note = Notification.objects.create(cadre=ledger.owner, kind="reminder", text="明天到期")
    Notification.objects.create(user=clerk_a, kind="reminder", text="别人的")
    client = _client(owner)
    assert _ids(client.get("/api/v1/notifications/?unread=true")) == {note.pk}
    assert (
        client.post("/api/v1/notifications/read/", {"ids": "x"}, format="json").status_code == 400
    )
    assert client.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert _ids(client.get("/api/v1/notifications/?unread=true")) == set()


def test_assignments_and_commitments_filter_and_scope(areas, clerk_a, clerk_b_sibling):
    head = make_cadre(areas["va"], name="杨村", rank=Rank.VILLAGE)
    other = make_cadre(areas["vb"], name="陈南", rank=Rank.VILLAGE)
    term = assign_responsibility(
        actor=None, area=areas["va"], cadre=head, duty=Duty.RESPONSIBLE, start_date=date(2026, 1, 1)
    )
    assign_responsibility(
        actor=None,
        area=areas["vb"],
        cadre=other,
        duty=Duty.RESPONSIBLE,
        start_date=date(2026, 1, 1),
    )
    client = _client(clerk_a)
    assert _ids(client.get("/api/v1/responsibility/?active=true&duty=responsible")) == {term.pk}
    promise = add_commitment(actor=None, cadre=head, year=2026, content="修好进组道路")
    add_commitment(actor=None, cadre=other, year=2026, content="别处的承诺")
    assert _ids(client.get("/api/v1/commitments/?year=2026")) == {promise.pk}
    assert _ids(client.get("/api/v1/commitments/?year=2025")) == set()
    assert _client(clerk_b_sibling).get(f"/api/v1/commitments/{promise.pk}/").status_code == 404


def test_monthly_ledger_is_the_pages_figures(areas, county_leader, ledger, make_matter):  # noqa: F811
    make_matter(received_on=timezone.localdate())
    client = _client(county_leader)
    body = client.get(f"/api/v1/monthly-ledger/{areas['ca'].pk}/").json()
    assert body["total"]["new"] == 1 and body["total"]["pending"] == 1
    township = next(row for row in body["children"] if row["name"] == "思茅镇")
    assert township["new"] == 1
    assert client.get(f"/api/v1/monthly-ledger/{areas['cb'].pk}/").status_code == 404


def test_a_roster_is_uploaded_checked_and_confirmed_through_the_api(areas, clerk_a, county_leader):
    client = _client(clerk_a)
    assert _client(county_leader).get("/api/v1/imports/").json()["results"] == []  # not an importer
    good = xlsx([roster_row(name="王大明"), roster_row(name="李小红")])
    made = client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("花名册.xlsx", good)}, format="multipart"
    )
    assert made.status_code == 201, made.content
    job = made.json()
    assert job["status"] == ImportStatus.UPLOADED
    checked = client.post(f"/api/v1/imports/{job['id']}/check/")
    assert checked.status_code == 202 and checked.json()["status"] == ImportStatus.PREVIEWED
    assert (
        checked.json()["counts"]["total_rows"] == 2 and checked.json()["counts"]["error_rows"] == 0
    )
    done = client.post(f"/api/v1/imports/{job['id']}/confirm/", {}, format="json")
    assert done.status_code == 202 and done.json()["status"] == ImportStatus.DONE
    assert Household.objects.filter(head_name__in=["王大明", "李小红"]).count() == 2
    assert client.get(f"/api/v1/imports/{job['id']}/").json()["status"] == ImportStatus.DONE


def test_a_roster_with_errors_lists_them_and_is_not_imported(areas, clerk_a):
    client = _client(clerk_a)
    data = xlsx(
        [roster_row(name="王大明"), roster_row(name="坏号码", **{"公民身份号码": bad_id()})]
    )
    job = client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("花名册.xlsx", data)}, format="multipart"
    ).json()
    checked = client.post(f"/api/v1/imports/{job['id']}/check/").json()
    assert checked["error_count"] >= 1 and checked["first_errors"][0]["row"]
    refused = client.post(f"/api/v1/imports/{job['id']}/confirm/", {}, format="json")
    assert refused.status_code == 409 and "valid rows" not in refused.json()["detail"]
    assert not Household.objects.filter(head_name="王大明").exists()
