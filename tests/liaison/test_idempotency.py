"""A submission counts once (issue 10 §2): the connection dropped after the commit, the
clerk sent the diary again and got a second diary with duplicate ledger matters."""

import threading
from datetime import date

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from foundation.idempotency import once
from foundation.models import Submission
from grievances.models import Matter
from liaison.models import Household, PairingKind, Visit
from liaison.services import pair_household, record_visit
from tests.liaison.factories import id_number, make_cadre, make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas, clerk_a):
    cadre = make_cadre(areas["ta"], name="刘强")
    household = make_household(areas["va"], name="王贫")
    pair_household(actor=None, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL)
    return {"cadre": cadre, "household": household}


def _diary(world, token, **extra):
    return {
        "submission": token,
        "cadre": world["cadre"].pk,
        "visited_on": "2026-06-01",
        "kind": "home",
        "place": "王家",
        "stay_days": "0",
        "households": [world["household"].pk],
        "matters-TOTAL_FORMS": "1",
        "matters-INITIAL_FORMS": "0",
        "matters-MIN_NUM_FORMS": "0",
        "matters-MAX_NUM_FORMS": "50",
        "matters-0-household": world["household"].pk,
        "matters-0-kind": "difficulty",
        "matters-0-description": "屋顶漏雨",
        **extra,
    }


def test_the_diary_form_sent_twice_saves_one_diary_and_one_matter(client, clerk_a, world):
    client.force_login(clerk_a)
    page = client.get(reverse("visit_new")).content.decode()
    assert 'name="submission"' in page
    first = client.post(reverse("visit_new"), _diary(world, "tok-1"))
    again = client.post(reverse("visit_new"), _diary(world, "tok-1"))
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]  # the second try shows the first result
    assert Visit.objects.count() == 1 and Matter.objects.count() == 1
    client.post(reverse("visit_new"), _diary(world, "tok-2"))  # a new form is a new diary
    assert Visit.objects.count() == 2


def test_a_failed_save_keeps_the_token_usable(client, clerk_a, world):
    client.force_login(clerk_a)
    bad = client.post(reverse("visit_new"), _diary(world, "tok-3", visited_on="2099-01-01"))
    assert bad.status_code == 200 and 'value="tok-3"' in bad.content.decode()
    assert not Submission.objects.exists()
    good = client.post(reverse("visit_new"), _diary(world, "tok-3"))
    assert good.status_code == 302 and Visit.objects.count() == 1


def test_household_registration_and_matter_filing_count_once(client, clerk_a, areas, world):
    client.force_login(clerk_a)
    number = id_number()
    household = {
        "submission": "h-1",
        "area": areas["va"].pk,
        "head_name": "李四",
        "id_number": number,
        "members": 3,
    }
    one = client.post(reverse("household_new"), household)
    two = client.post(reverse("household_new"), household, follow=True)
    assert one.status_code == 302 and two.status_code == 200
    assert "已登记" in two.content.decode() or "already" in two.content.decode()
    assert Household.objects.filter(head_name="李四").count() == 1
    matter = {
        "submission": "m-1",
        "owner": world["cadre"].pk,
        "applicant": world["household"].pk,
        "description": "路灯坏了",
        "kind": "difficulty",
        "source": "home_visit",
        "received_on": "2026-06-01",
    }
    first = client.post(reverse("grievances:new"), matter)
    second = client.post(reverse("grievances:new"), matter)
    assert first.status_code == 302 and first["Location"] == second["Location"]
    assert Matter.objects.filter(description="路灯坏了").count() == 1


@pytest.mark.parametrize(
    "url,body",
    [
        ("/api/v1/visits/", "visit"),
        ("/api/v1/grievances/", "matter"),
        ("/api/v1/households/", "household"),
    ],
)
def test_the_api_honours_the_idempotency_key(api_client, clerk_a, areas, world, url, body):
    api_client.force_authenticate(clerk_a)
    bodies = {
        "visit": {
            "cadre": world["cadre"].pk,
            "visited_on": "2026-06-01",
            "kind": "home",
            "households": [world["household"].pk],
            "matters": [
                {"household": world["household"].pk, "kind": "difficulty", "description": "漏雨"}
            ],
        },
        "matter": {
            "owner": world["cadre"].pk,
            "applicant": world["household"].pk,
            "description": "路灯坏了",
            "kind": "difficulty",
            "source": "home_visit",
            "received_on": "2026-06-01",
        },
        "household": {"area": areas["va"].pk, "head_name": "李四", "id_number": id_number()},
    }
    counts = (Visit.objects.count(), Matter.objects.count(), Household.objects.count())
    first = api_client.post(url, bodies[body], HTTP_IDEMPOTENCY_KEY="k-1")
    second = api_client.post(url, bodies[body], HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and second.status_code == 200, second.content
    assert first.json()["id"] == second.json()["id"]
    after = (Visit.objects.count(), Matter.objects.count(), Household.objects.count())
    assert sum(after) - sum(counts) == (2 if body == "visit" else 1)  # a diary files its matter


def test_keys_belong_to_their_user(clerk_a, county_leader, world):
    """Another user's identical key is another submission (and learns nothing)."""
    make = lambda user: once(  # noqa: E731
        user=user,
        key="same",
        scope="visit",
        model=Visit,
        create=lambda: record_visit(
            actor=user,
            cadre=world["cadre"],
            visited_on=date(2026, 6, 1),
            kind="home",
            households=[world["household"]],
        ),
    )
    assert make(clerk_a).created and make(county_leader).created
    assert not make(clerk_a).created
    assert Visit.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_connections_with_the_same_token_create_once(clerk_a, world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    barrier, outcomes = threading.Barrier(2), []

    def send():
        close_old_connections()
        try:
            barrier.wait()
            outcome = once(
                user=clerk_a,
                key="race",
                scope="visit",
                model=Visit,
                create=lambda: record_visit(
                    actor=clerk_a,
                    cadre=world["cadre"],
                    visited_on=date(2026, 6, 1),
                    kind="home",
                    households=[world["household"]],
                ),
            )
            outcomes.append((outcome.created, outcome.obj.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created for created, _ in outcomes) == [False, True]
    assert len({pk for _, pk in outcomes}) == 1 and Visit.objects.count() == 1


def test_a_resubmitted_diary_says_one_thing(client, clerk_a, world):
    """Issue 22, 4: a resend showed both "这篇日记已经保存过" and "民情日记已保存"."""
    client.force_login(clerk_a)
    client.post(reverse("visit_new"), _diary(world, "tok-9"))
    client.get("/")  # the first save's message is read
    again = client.post(reverse("visit_new"), _diary(world, "tok-9"), follow=True)
    shown = [str(m) for m in again.context["messages"]]
    assert len(shown) == 1 and "已经保存过" in shown[0], shown


def test_a_key_reused_with_another_body_is_refused(api_client, clerk_a, world):
    """Issue 22, 4: the same Idempotency-Key with a different body silently returned the
    first object (200); the IETF draft's answer is 422."""
    api_client.force_authenticate(clerk_a)
    body = {
        "owner": world["cadre"].pk,
        "applicant": world["household"].pk,
        "description": "路灯坏了",
        "kind": "difficulty",
        "source": "home_visit",
        "received_on": "2026-06-01",
    }
    first = api_client.post("/api/v1/grievances/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-7")
    reordered = dict(reversed(list(body.items())))
    again = api_client.post(
        "/api/v1/grievances/", reordered, format="json", HTTP_IDEMPOTENCY_KEY="k-7"
    )
    other = api_client.post(
        "/api/v1/grievances/",
        {**body, "description": "自来水停了"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-7",
    )
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 422)
    assert Matter.objects.count() == 1 and "Idempotency-Key" in other.json()["detail"]
