"""A request's lock waits are bounded as a whole (issue 22 §2).

Before: ``lock_timeout`` bounded each wait, not the request. Four saves behind a held matter
counter got their 503 at 3.7, 6.7, 9.7 and 12.7 s (each waited in PostgreSQL's tuple queue,
then for the row), and with both sync web workers waiting a bystander's ``/health/`` took
9 s. Now every row a request locks is locked NOWAIT and retried within the request's budget
(``foundation.locks``), and the web runs threaded workers (``portal/gunicorn_conf.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg2
import pytest
from django.db import connection, transaction
from django.test import Client

from foundation import apitokens, locks
from grievances.models import Matter, MatterCounter
from liaison.models import PairingKind, Visit
from liaison.services import pair_household
from tests.liaison.factories import make_cadre, make_household

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 3.0  # the promise: README "When something is down"
SLACK = 0.8  # a request's own work around its wait


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and NOWAIT are PostgreSQL's")


def _diary(cadre, household) -> dict:
    return {
        "cadre": cadre.pk,
        "visited_on": "2026-06-01",
        "kind": "home",
        "households": [household.pk],
        "matters": [
            {"household": household.pk, "kind": "difficulty", "description": "屋顶漏雨"},
            {"household": household.pk, "kind": "suggestion", "description": "修村道"},
        ],
    }


class HeldCounter:
    """Another session holds the county's matter counter (a stuck report, a long save)."""

    def __init__(self, county_code: str):
        MatterCounter.objects.get_or_create(county_code=county_code, year=2026)
        params = connection.get_connection_params()
        self.holder = psycopg2.connect(**{k: v for k, v in params.items() if k != "options"})
        self.county_code = county_code

    def __enter__(self):
        cursor = self.holder.cursor()
        cursor.execute(
            f"SELECT * FROM {MatterCounter._meta.db_table} WHERE county_code = %s FOR UPDATE",
            [self.county_code],
        )
        return self

    def __exit__(self, *exc):
        self.holder.rollback()
        self.holder.close()


@pytest.fixture
def paired(areas):
    cadre = make_cadre(areas["ta"], name="刘强")
    household = make_household(areas["va"], name="王贫")
    pair_household(actor=None, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL)
    return cadre, household


@pytest.mark.django_db(transaction=True)
def test_lock_one_waits_within_the_budget_and_keeps_the_transaction(areas):
    _postgres_only()
    with HeldCounter(areas["ca"].division_code[:6]) as held:
        counter = MatterCounter.objects.get(county_code=held.county_code)
        started = time.perf_counter()
        with locks.budget(0.4), transaction.atomic():
            with pytest.raises(locks.LockBudgetSpent):
                locks.lock_one(MatterCounter.objects.filter(pk=counter.pk))
        assert 0.35 < time.perf_counter() - started < 0.9
    # Released: taken at once, and refused NOWAITs before it did not end the transaction.
    with locks.budget(0.4), transaction.atomic():
        assert locks.lock_one(MatterCounter.objects.filter(pk=counter.pk)).pk == counter.pk
        assert MatterCounter.objects.filter(pk=counter.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_four_saves_behind_a_held_row_are_each_busy_within_the_budget(
    clerk_a, areas, paired, settings
):
    """In-process, four API saves at once (one thread each, like gthread's): before, the
    third and fourth queued in PostgreSQL behind the first two and answered after 6–12 s."""
    _postgres_only()
    cadre, household = paired
    settings.LIAISON_PROCESS = "web"
    connection.close()  # the threads' connections get the web timeouts
    before = (Visit.objects.count(), Matter.objects.count())
    answers: list[tuple[int, float, str]] = []

    def save(n):
        client = Client()
        client.force_login(clerk_a)
        started = time.perf_counter()
        response = client.post(
            "/api/v1/visits/",
            json.dumps(_diary(cadre, household)),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"held-{n}",
        )
        body = response.json()["detail"] if response.status_code == 503 else response.content
        answers.append((response.status_code, time.perf_counter() - started, str(body)))
        connection.close()

    with HeldCounter(areas["ca"].division_code[:6]):
        threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert len(answers) == 4
    for status, elapsed, body in answers:
        assert status == 503, body
        assert elapsed < BUDGET + SLACK, [round(a[1], 2) for a in answers]
        assert "系统繁忙" in body
    assert (Visit.objects.count(), Matter.objects.count()) == before


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_on_gunicorn_four_blocked_saves_and_health_beside_them(clerk_a, areas, paired, tmp_path):
    """The real web server as production runs it (``-c portal/gunicorn_conf.py``: two
    workers of two request threads): four saves behind a held row take the request
    threads, each answers 503 once its budget is spent, and /health/ — on the thread each
    worker keeps for it — answers at once meanwhile."""
    _postgres_only()
    cadre, household = paired
    key, _token = apitokens.issue_token(actor=None, user=clerk_a)
    db = connection.settings_dict
    port, health_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_HEALTH_BIND": f"127.0.0.1:{health_port}",
        "WEB_CONCURRENCY": "2",
        "REDIS_URL": "",
    }
    web = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "portal/gunicorn_conf.py",
            "portal.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "web.log", "w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/health/", timeout=2).read()
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline or web.poll() is not None:
                    pytest.fail((tmp_path / "web.log").read_text()[-3000:])
                time.sleep(0.2)
        before = (Visit.objects.count(), Matter.objects.count())
        saves: list[tuple[int, float]] = []
        probes: list[float] = []

        def save(n):
            request = urllib.request.Request(
                f"{base}/api/v1/visits/",
                data=json.dumps(_diary(cadre, household)).encode(),
                headers={
                    "Authorization": f"Token {key}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"gunicorn-held-{n}",
                },
            )
            started = time.perf_counter()
            try:
                status = urllib.request.urlopen(request, timeout=30).status
            except urllib.error.HTTPError as exc:
                status = exc.code
            saves.append((status, time.perf_counter() - started))

        with HeldCounter(areas["ca"].division_code[:6]):
            threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
            for thread in threads:
                thread.start()
            time.sleep(0.5)  # every save is waiting now
            for _ in range(3):
                started = time.perf_counter()
                body = json.loads(
                    urllib.request.urlopen(
                        f"http://127.0.0.1:{health_port}/health/", timeout=10
                    ).read()
                )
                probes.append(time.perf_counter() - started)
                assert body["database"] == "ok"
            for thread in threads:
                thread.join(30)
    finally:
        web.terminate()
        web.wait(20)
    assert sorted(status for status, _ in saves) == [503] * 4, saves
    # Four saves, four request threads — but gunicorn does not spread connections evenly
    # over its workers: a save may wait for a thread behind one other save, never more
    # (before: 3.7, 6.7, 9.7 and 12.7 s, the waits adding up in PostgreSQL's lock queue).
    assert max(elapsed for _, elapsed in saves) < 2 * BUDGET + SLACK, saves
    # Before: 9 s. The promise is 100 ms (bench/faults.py measures it); here 0.5 s leaves
    # room for a slow CI machine without letting a queued probe pass.
    assert max(probes) < 0.5, probes
    assert (Visit.objects.count(), Matter.objects.count()) == before
