"""One held lock must not take the site down (issue 10 §5).

A lock held for 45 s on the matter counter hung two diary saves until gunicorn killed them,
and /health/ took 32.6 s. Now a web connection gives up on a lock after LIAISON_DB_TIMEOUTS
and the user gets "系统繁忙，请稍后重试" (503) with nothing written; /health/ answers fast.
"""

import threading
import time

import psycopg2
import pytest
from django.db import connection
from django.urls import reverse

from foundation import dbtimeouts
from grievances.models import Matter, MatterCounter
from liaison.models import PairingKind, Visit
from liaison.services import pair_household
from tests.liaison.factories import make_cadre, make_household


def test_processes_are_told_apart(monkeypatch):
    monkeypatch.delenv("LIAISON_PROCESS", raising=False)
    monkeypatch.setattr("sys.argv", ["/srv/.venv/bin/gunicorn", "liaison.wsgi"])
    assert dbtimeouts.process_kind() == "web"
    monkeypatch.setattr("sys.argv", ["/srv/.venv/bin/celery", "-A", "liaison", "worker"])
    assert dbtimeouts.process_kind() == "worker"
    monkeypatch.setattr("sys.argv", ["manage.py", "migrate"])
    assert dbtimeouts.process_kind() == "command"
    monkeypatch.setattr("sys.argv", ["manage.py", "runserver"])
    assert dbtimeouts.process_kind() == "web"
    monkeypatch.setenv("LIAISON_PROCESS", "worker")
    assert dbtimeouts.process_kind() == "worker"


@pytest.mark.django_db
def test_health_answers_fast_and_says_what_is_there(client):
    started = time.perf_counter()
    response = client.get(reverse("health"))
    assert time.perf_counter() - started < 1.0
    body = response.json()
    assert response.status_code == 200 and body["database"] == "ok"
    assert body["outbox_waiting"] == 0 and "worker" in body


@pytest.mark.django_db
def test_health_with_redis_down_is_degraded_not_slow(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6399/0"  # nothing listens there
    started = time.perf_counter()
    body = client.get(reverse("health")).json()
    assert time.perf_counter() - started < 1.0
    assert body["status"] == "degraded" and body["redis"] == "down"


@pytest.mark.django_db(transaction=True)
def test_a_held_counter_lock_is_a_busy_page_and_writes_nothing(client, clerk_a, areas, settings):
    if connection.vendor != "postgresql":
        pytest.skip("lock_timeout is PostgreSQL's")

    cadre = make_cadre(areas["ta"], name="刘强")
    household = make_household(areas["va"], name="王贫")
    pair_household(actor=None, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL)
    settings.LIAISON_PROCESS = "web"
    settings.LIAISON_DB_TIMEOUTS = {**settings.LIAISON_DB_TIMEOUTS, "web": (500, 5000)}
    connection.close()  # the next connection gets the web timeouts
    MatterCounter.objects.get_or_create(county_code=areas["ca"].division_code[:6], year=2026)

    params = connection.get_connection_params()
    holder = psycopg2.connect(**{k: v for k, v in params.items() if k != "options"})
    held = threading.Event()
    try:
        cursor = holder.cursor()
        cursor.execute(f"SELECT * FROM {MatterCounter._meta.db_table} FOR UPDATE")
        held.set()
        client.force_login(clerk_a)
        before = (Visit.objects.count(), Matter.objects.count())
        started = time.perf_counter()
        response = client.post(
            reverse("visit_new"),
            {
                "cadre": cadre.pk,
                "visited_on": "2026-06-01",
                "kind": "home",
                "place": "",
                "stay_days": "0",
                "households": [household.pk],
                "matters-TOTAL_FORMS": "1",
                "matters-INITIAL_FORMS": "0",
                "matters-MIN_NUM_FORMS": "0",
                "matters-MAX_NUM_FORMS": "50",
                "matters-0-household": household.pk,
                "matters-0-kind": "difficulty",
                "matters-0-description": "屋顶漏雨",
            },
        )
        elapsed = time.perf_counter() - started
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503 and elapsed < 5
    assert "系统繁忙" in response.content.decode()
    assert (Visit.objects.count(), Matter.objects.count()) == before
