"""The product under faults, on the real stack: what was lost, what ran twice (issue 10).

Starts its own PostgreSQL database, its own Redis (a port of its own, so it can be stopped),
gunicorn and a Celery worker, then breaks them on purpose:

1. double submits: each diary is sent twice with its submission token (a connection that
   dropped after the commit, a double click);
2. gunicorn killed with ``kill -9`` while diaries are being saved; the clients send again;
3. the Celery worker killed with ``kill -9`` in the middle of a 20,000-row import; a new
   worker takes the redelivered task;
4. Redis stopped while clerks start imports; started again; the outbox drains;
5. the matter counter's row locked for 45 s by another connection while diaries are saved,
   and ``/health/`` asked meanwhile.

For each: how many submissions were made, how many rows exist, what was lost (must be 0)
and what exists twice (must be 0), with timings. Run (PostgreSQL and Redis installed):

    .venv/bin/python bench/faults.py            # about 3 minutes

The figures go to bench/RESULTS.md by hand, with the command.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
PASSWORD = "Faults-bench-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, db: str, tmp: Path):
        self.tmp = tmp
        self.redis_port = free_port()
        self.web_port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "LIAISON_VAR_DIR": str(tmp / "var"),
            "CELERY_TASK_DEFAULT_QUEUE": "faults",
            # Redelivery of a dead worker's task after 5 s (the default is an hour).
            "CELERY_TRANSPORT_OPTIONS": '{"visibility_timeout": 5, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}',
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
        self.redis = self.web = self.worker = None
        self.workers: list = []

    def manage(self, *args, check=True):
        return subprocess.run(
            [PY, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=check,
            capture_output=True,
            text=True,
        )

    def start_redis(self):
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_port(self.redis_port)

    def stop_redis(self):
        self.redis.send_signal(signal.SIGTERM)
        self.redis.wait(10)

    def start_web(self):
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "portal.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{self.web_port}",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env={**self.env, "LIAISON_PROCESS": "web"},
            stdout=open(self.tmp / "web.log", "a"),
            stderr=subprocess.STDOUT,
        )
        wait_port(self.web_port)

    def start_worker(self):
        worker = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "-l",
                "info",
                "-Q",
                "faults",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env={**self.env, "LIAISON_PROCESS": "worker"},
            stdout=open(self.tmp / f"worker{len(self.workers)}.log", "a"),
            stderr=subprocess.STDOUT,
        )
        self.workers.append(worker)
        return worker

    def url(self, path):
        return f"http://127.0.0.1:{self.web_port}{path}"

    def stop(self):
        for proc in [self.web, *self.workers, self.redis]:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)


def wait_port(port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


SETUP = r"""
from datetime import date
from django.contrib.auth import get_user_model
from responsibility_areas.models import Level, Role
from responsibility_areas.services import AreaSpec, ensure_area_tree, grant_membership
from liaison.services import register_cadre, register_household, pair_household
from tests.liaison.factories import id_number
tree = ensure_area_tree(actor=None, actor_name="bench", specs=[
    AreaSpec("p", None, "云南省", Level.PROVINCE, "530000000000"),
    AreaSpec("c", "p", "普洱市", Level.CITY, "530800000000"),
    AreaSpec("ca", "c", "思茅区", Level.COUNTY, "530802000000"),
    AreaSpec("ta", "ca", "思茅镇", Level.TOWNSHIP, "530802101000"),
    AreaSpec("va", "ta", "甲村", Level.VILLAGE, "530802101201"),
])
user = get_user_model().objects.create_user("bench_clerk", password="%(password)s", last_name="张")
grant_membership(actor=None, actor_name="bench", user=user, area=tree["ta"], role=Role.CLERK,
                 start_date=date(2020, 1, 1))
cadre = register_cadre(actor=None, area=tree["ta"], name="刘强", rank="township", unit="镇政府",
                       post="副镇长", phone="13900000001")
for n in range(20):
    h = register_household(actor=None, area=tree["va"], head_name=f"王{n}", id_number=id_number(sequence=n + 1))
    pair_household(actor=None, cadre=cadre, household=h, kind="territorial")
print("ready", cadre.pk)
"""

COUNT = r"""
from liaison.models import Visit, Household, ImportJob
from liaison.lib.models import Outbox
from grievances.models import Matter
print("counts", Visit.objects.count(), Matter.objects.count(), Household.objects.count(),
      ",".join(sorted(ImportJob.objects.values_list("status", flat=True))),
      Outbox.objects.filter(sent_at__isnull=True).count())
print("dupes", Visit.objects.values("q_basic").order_by().annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")).filter(n__gt=1).count())
"""


def counts(stack):
    out = stack.manage("shell", "-c", COUNT).stdout
    visits, matters, households, statuses, waiting = re.search(
        r"counts (\d+) (\d+) (\d+) (\S*) (\d+)", out
    ).groups()
    dupes = int(re.search(r"dupes (\d+)", out).group(1))
    return {
        "visits": int(visits),
        "matters": int(matters),
        "households": int(households),
        "jobs": statuses.split(",") if statuses else [],
        "outbox_waiting": int(waiting),
        "duplicate_diaries": dupes,
    }


class Clerk:
    def __init__(self, stack):
        self.stack = stack
        self.s = requests.Session()
        page = self.s.get(stack.url("/login/"), timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        r = self.s.post(
            stack.url("/login/"),
            timeout=10,
            data={"csrfmiddlewaretoken": token, "username": "bench_clerk", "password": PASSWORD},
            headers={"Referer": stack.url("/login/")},
        )
        assert "sessionid" in self.s.cookies, r.status_code

    def csrf(self):
        return self.s.cookies.get("csrftoken")

    def diary(self, cadre, household_ids, label, token, timeout=40):
        data = {
            "csrfmiddlewaretoken": self.csrf(),
            "submission": token,
            "cadre": cadre,
            "visited_on": "2026-06-01",
            "kind": "home",
            "place": "",
            "stay_days": "0",
            "q_basic": label,
            "households": household_ids,
            "matters-TOTAL_FORMS": "1",
            "matters-INITIAL_FORMS": "0",
            "matters-MIN_NUM_FORMS": "0",
            "matters-MAX_NUM_FORMS": "50",
            "matters-0-household": household_ids[0],
            "matters-0-kind": "difficulty",
            "matters-0-description": f"事项 {label}",
        }
        return self.s.post(
            self.stack.url("/diary/new/"),
            data=data,
            timeout=timeout,
            allow_redirects=False,
            headers={"Referer": self.stack.url("/diary/new/")},
        )


def household_ids(stack):
    out = stack.manage(
        "shell",
        "-c",
        "from liaison.models import Household; print('ids', list(Household.objects.order_by('id').values_list('id', flat=True)[:20]))",
    ).stdout
    return [int(x) for x in re.search(r"ids \[(.*)\]", out).group(1).split(", ")]


def scenario_double_submit(stack, cadre, ids, n=30):
    clerk, before = Clerk(stack), counts(stack)
    for i in range(n):
        token = uuid.uuid4().hex
        for _ in range(2):
            clerk.diary(cadre, [ids[i % 20]], f"double-{i}", token)
    after = counts(stack)
    made = after["visits"] - before["visits"]
    return {
        "submissions": n,
        "sent": 2 * n,
        "diaries": made,
        "matters": after["matters"] - before["matters"],
        "lost": n - made if made < n else 0,
        "twice": max(made - n, 0),
    }


def scenario_gunicorn_killed(stack, cadre, ids, n=120):
    """Clients send diaries in 4 threads; gunicorn is killed mid-way; every client sends its
    unanswered diary again (same token) once gunicorn is back."""
    before = counts(stack)
    tokens = [uuid.uuid4().hex for _ in range(n)]
    answered, lock = set(), threading.Lock()

    def send(indices):
        try:
            clerk = Clerk(stack)
        except requests.RequestException:
            return  # gunicorn already gone: these are sent again below
        for i in indices:
            try:
                r = clerk.diary(cadre, [ids[i % 20]], f"kill-{i}", tokens[i], timeout=5)
                if r.status_code == 302:
                    with lock:
                        answered.add(i)
            except requests.RequestException:
                pass

    threads = [threading.Thread(target=send, args=(range(k, n, 4),)) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(2.0)  # logged in, diaries on their way
    stack.web.kill()  # kill -9 the master and its workers mid-save
    subprocess.run(["pkill", "-9", "-f", f"127.0.0.1:{stack.web_port}"], check=False)
    stack.web.wait(10)
    for t in threads:
        t.join()
    dropped = n - len(answered)
    stack.start_web()
    clerk = Clerk(stack)
    for i in range(n):
        if i not in answered:
            r = clerk.diary(cadre, [ids[i % 20]], f"kill-{i}", tokens[i])
            assert r.status_code == 302, r.status_code
    after = counts(stack)
    made = after["visits"] - before["visits"]
    return {
        "submissions": n,
        "unanswered_before_retry": dropped,
        "diaries": made,
        "matters": after["matters"] - before["matters"],
        "lost": max(n - made, 0),
        "twice": max(made - n, 0),
        "duplicate_diaries": after["duplicate_diaries"],
    }


def roster_file(tmp: Path, rows: int, start: int = 0) -> Path:
    """``rows`` new households in 甲村 paired with 刘强, each with an ID number of its own."""
    from datetime import date, timedelta  # noqa: PLC0415

    sys.path.insert(0, str(ROOT))
    from tests.liaison.factories import id_number  # noqa: PLC0415
    from tests.liaison.roster_files import roster_row, xlsx_bytes  # noqa: PLC0415

    surnames, given = "王李张刘陈杨黄赵周吴", "明华国建平志红英芳军伟秀兰玉海林春云强丽"
    body = []
    for n in range(start, start + rows):
        born = (date(1950, 1, 1) + timedelta(days=n // 999)).strftime("%Y%m%d")
        body.append(
            roster_row(
                **{
                    "户主姓名": surnames[n % 10] + given[n % 20] + given[(n // 20) % 20],
                    "公民身份号码": id_number(born=born, sequence=n % 999 + 1),
                    "联系电话": f"137{n:08d}",
                    "村民小组": "",
                }
            )
        )
    path = tmp / f"roster-{start}-{rows}.xlsx"
    path.write_bytes(xlsx_bytes(body))
    return path


def upload(clerk, path):
    page = clerk.s.get(clerk.stack.url("/imports/"), timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    with open(path, "rb") as fh:
        r = clerk.s.post(
            clerk.stack.url("/imports/"),
            data={"csrfmiddlewaretoken": token, "sheet": ""},
            files={"file": (path.name, fh)},
            allow_redirects=False,
            timeout=60,
            headers={"Referer": clerk.stack.url("/imports/")},
        )
    job = int(re.search(r"/imports/(\d+)/", r.headers["Location"]).group(1))
    return job


def post_fetch(clerk, path, data=None):
    return clerk.s.post(
        clerk.stack.url(path),
        data=data or {},
        timeout=30,
        headers={
            "X-Requested-With": "fetch",
            "X-CSRFToken": clerk.csrf(),
            "Referer": clerk.stack.url("/imports/"),
        },
    )


def job_status(clerk, job):
    page = clerk.s.get(clerk.stack.url(f"/imports/{job}/"), timeout=10).text
    return re.search(r'data-testid="job-status">([^<]+)<', page).group(1)


def wait_status(stack, job, wanted, timeout=300, every=0.1):
    """Poll the job's status straight from PostgreSQL (a Django process per poll is too slow)."""
    import psycopg2  # noqa: PLC0415

    db = stack.env["DATABASE_URL"].rsplit("/", 1)[1]
    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=db)
    conn.autocommit = True
    end, status = time.time() + timeout, None
    try:
        while time.time() < end:
            with conn.cursor() as cur:
                cur.execute("SELECT status FROM liaison_importjob WHERE id = %s", [job])
                status = cur.fetchone()[0]
            if status in wanted:
                return status
            time.sleep(every)
        return status
    finally:
        conn.close()


def scenario_worker_killed(stack, rows):
    clerk = Clerk(stack)
    before = counts(stack)
    job = upload(clerk, roster_file(stack.tmp, rows))
    post_fetch(clerk, f"/imports/{job}/preview/")
    assert wait_status(stack, job, {"previewed", "failed"}) == "previewed"
    post_fetch(clerk, f"/imports/{job}/confirm/")
    # Kill the worker while it writes (the job is "importing").
    seen = wait_status(stack, job, {"importing", "done"}, 60, every=0.02)
    if seen == "done":
        return {"rows": rows, "note": "finished before the kill: use more --rows"}
    time.sleep(0.5)  # into the check of the confirm step, before the write commits
    killed_at = time.time()
    stack.workers[-1].kill()
    stack.workers[-1].wait(10)
    stack.start_worker()
    status_at_kill = wait_status(stack, job, {"done", "failed", "importing"}, 1)
    final = wait_status(stack, job, {"done", "failed"}, 600)
    after = counts(stack)
    new = after["households"] - before["households"]
    return {
        "rows": rows,
        "status_at_kill": status_at_kill,
        "final_status": final,
        "recovered_in_s": round(time.time() - killed_at, 1),
        "households_new": new,
        "lost": max(rows - new, 0),
        "twice": max(new - rows, 0),
    }


def scenario_redis_down(stack, n_jobs=3):
    clerk = Clerk(stack)
    jobs = [upload(clerk, roster_file(stack.tmp, 5, start=900000 + 10 * k)) for k in range(n_jobs)]
    stack.stop_redis()
    timings = []
    for job in jobs:
        started = time.perf_counter()
        r = post_fetch(clerk, f"/imports/{job}/preview/")
        timings.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, r.status_code
    health = requests.get(stack.url("/health/"), timeout=5).json()
    queued = counts(stack)["outbox_waiting"]
    bystander = []
    for _ in range(10):
        started = time.perf_counter()
        clerk.s.get(stack.url("/ledger/"), timeout=10)
        bystander.append((time.perf_counter() - started) * 1000)
    stack.start_redis()
    stack.manage("drain_outbox")
    statuses = [wait_status(stack, job, {"previewed", "failed"}, 120) for job in jobs]
    return {
        "imports_started_while_down": n_jobs,
        "answered_ms_median": round(statistics.median(timings), 1),
        "queued_in_outbox": queued,
        "health_while_down": health.get("status"),
        "bystander_ledger_ms_median": round(statistics.median(bystander), 1),
        "after_redis_back": statuses,
        "lost": statuses.count("uploaded"),
        "twice": counts(stack)["outbox_waiting"],
    }


def scenario_held_lock(stack, cadre, ids, hold=45):
    import psycopg2  # noqa: PLC0415

    db = stack.env["DATABASE_URL"].rsplit("/", 1)[1]
    holder = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=db)
    cur = holder.cursor()
    cur.execute("SELECT * FROM grievances_mattercounter FOR UPDATE")
    clerk = Clerk(stack)
    before = counts(stack)
    results, health_ms = [], []
    started = time.time()
    tokens = [uuid.uuid4().hex for _ in range(2)]
    for i, token in enumerate(tokens):
        t = time.perf_counter()
        r = clerk.diary(cadre, [ids[i]], f"lock-{i}", token)
        results.append((r.status_code, round((time.perf_counter() - t) * 1000)))
    for _ in range(5):
        t = time.perf_counter()
        requests.get(stack.url("/health/"), timeout=40)
        health_ms.append((time.perf_counter() - t) * 1000)
    time.sleep(max(0, hold - (time.time() - started)))
    holder.rollback()
    holder.close()
    retried = [
        clerk.diary(cadre, [ids[i]], f"lock-{i}", t).status_code for i, t in enumerate(tokens)
    ]
    after = counts(stack)
    made = after["visits"] - before["visits"]
    return {
        "saves_while_locked": results,
        "health_ms_median": round(statistics.median(health_ms), 1),
        "retried_after_release": retried,
        "diaries": made,
        "lost": max(2 - made, 0),
        "twice": max(made - 2, 0),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--hold", type=int, default=45)
    args = parser.parse_args()
    db = f"liaison_faults_{os.getpid()}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
    tmp = Path(tempfile.mkdtemp(prefix="faults-"))
    stack = Stack(db, tmp)
    # This process builds the roster files with the test helpers (which need Django set up).
    sys.path.insert(0, str(ROOT))
    os.environ.update({k: stack.env[k] for k in ("DATABASE_URL", "LIAISON_VAR_DIR")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django  # noqa: PLC0415

    django.setup()
    try:
        stack.manage("migrate", "--no-input")
        cadre = int(
            re.search(
                r"ready (\d+)",
                stack.manage("shell", "-c", SETUP.replace("%(password)s", PASSWORD)).stdout,
            ).group(1)
        )
        ids = household_ids(stack)
        stack.start_redis()
        stack.start_web()
        stack.start_worker()
        report = {}
        for name, run in (
            ("1 double submit", lambda: scenario_double_submit(stack, cadre, ids)),
            ("2 gunicorn kill -9 mid-save", lambda: scenario_gunicorn_killed(stack, cadre, ids)),
            ("3 worker kill -9 mid-import", lambda: scenario_worker_killed(stack, args.rows)),
            ("4 Redis stopped", lambda: scenario_redis_down(stack)),
            ("5 counter row locked", lambda: scenario_held_lock(stack, cadre, ids, args.hold)),
        ):
            report[name] = run()
            print(f"{name}: {report[name]}", flush=True)
        lost = sum(r.get("lost", 0) for r in report.values())
        twice = sum(r.get("twice", 0) for r in report.values())
        print(f"TOTAL lost={lost} twice={twice}")
        return 0 if lost == twice == 0 else 1
    finally:
        stack.stop()
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", db]
        )


if __name__ == "__main__":
    sys.exit(main())
