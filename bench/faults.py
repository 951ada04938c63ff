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
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from fault_stack import (  # noqa: E402  (its neighbour in bench/)
    PASSWORD,
    ROOT,
    SETUP,
    Clerk,
    Stack,
    counts,
    household_ids,
    post_fetch,
    roster_file,
    upload,
    wait_status,
)


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
