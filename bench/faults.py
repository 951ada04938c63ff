"""The product under faults, on the real stack: what was lost, what ran twice (issue 10).

Starts its own PostgreSQL database, its own Redis (a port of its own, so it can be stopped),
gunicorn and a Celery worker, then breaks them on purpose:

1. double submits: each diary is sent twice with its submission token (a connection that
   dropped after the commit, a double click);
2. gunicorn killed with ``kill -9`` while diaries are being saved; the clients send again;
3. the Celery worker killed with ``kill -9`` in the middle of a 20,000-row import; a new
   worker takes the redelivered task;
4. Redis stopped while clerks start imports; started again; the outbox drains;
5. the matter counter's row locked by another connection while four clerks save diaries
   at once, and ``/health/`` asked meanwhile (issue 22 §2: each save busy within the 3 s
   budget, health in milliseconds);
6. a stale task redelivered: the worker killed mid-import, the job failed by the watchdog,
   a corrected file of the same households imported, then the dead run's message comes
   back (issue 22 §1: it must write nothing — before, it reverted all 100 corrections);
7. Redis without persistence killed after the outbox handed a task over and before a
   worker took it (issue 22 §3: the drain sends it again, the job is not stranded).

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


def scenario_held_lock(stack, cadre, ids, hold=10, savers=4):
    import psycopg2  # noqa: PLC0415

    db = stack.env["DATABASE_URL"].rsplit("/", 1)[1]
    holder = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=db)
    cur = holder.cursor()
    cur.execute("SELECT * FROM grievances_mattercounter FOR UPDATE")
    clerks = [Clerk(stack) for _ in range(savers)]
    before = counts(stack)
    results, health_ms = [None] * savers, []
    started = time.time()
    tokens = [uuid.uuid4().hex for _ in range(savers)]

    def save(i):
        t = time.perf_counter()
        r = clerks[i].diary(cadre, [ids[i]], f"lock-{i}", tokens[i])
        results[i] = (r.status_code, round((time.perf_counter() - t) * 1000))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(savers)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # every save is waiting for the row now
    web_health_ms = []
    while any(thread.is_alive() for thread in threads):
        t = time.perf_counter()
        requests.get(stack.health_url(), timeout=40)  # the thread kept for health
        health_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        requests.get(stack.url("/health/"), timeout=40)  # and on the web port
        web_health_ms.append((time.perf_counter() - t) * 1000)
        time.sleep(0.2)
    time.sleep(max(0, hold - (time.time() - started)))
    holder.rollback()
    holder.close()
    retried = [
        clerks[i].diary(cadre, [ids[i]], f"lock-{i}", t).status_code for i, t in enumerate(tokens)
    ]
    after = counts(stack)
    made = after["visits"] - before["visits"]
    return {
        "saves_while_locked": results,
        "slowest_busy_answer_ms": max(ms for _, ms in results),
        "health_probes_beside": len(health_ms),
        "health_ms_median": round(statistics.median(health_ms), 1) if health_ms else None,
        "health_ms_max": round(max(health_ms), 1) if health_ms else None,
        "web_port_health_ms_max": round(max(web_health_ms), 1) if web_health_ms else None,
        "retried_after_release": retried,
        "diaries": made,
        "lost": max(savers - made, 0),
        "twice": max(made - savers, 0),
    }


def _households_named(stack, suffix: str) -> int:
    import psycopg2  # noqa: PLC0415

    db = stack.env["DATABASE_URL"].rsplit("/", 1)[1]
    with psycopg2.connect(host="127.0.0.1", user="postgres", dbname=db) as conn:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM liaison_household WHERE head_name LIKE %s", [f"%{suffix}"]
            )
            return cur.fetchone()[0]


def scenario_stale_redelivery(stack, rows, corrected=100):
    """The whole worker killed mid-import; the watchdog fails the job; a corrected file of
    the first ``corrected`` households is imported; then the dead run's message is
    redelivered. Before issue 22 it imported the old file over the corrections."""
    clerk = Clerk(stack)
    first = 600000
    before = counts(stack)
    job = upload(clerk, roster_file(stack.tmp, rows, start=first))
    post_fetch(clerk, f"/imports/{job}/preview/")
    assert wait_status(stack, job, {"previewed", "failed"}) == "previewed"
    post_fetch(clerk, f"/imports/{job}/confirm/")
    seen = wait_status(stack, job, {"importing", "done"}, 60, every=0.02)
    if seen == "done":
        return {"rows": rows, "note": "finished before the kill: use more --rows"}
    time.sleep(0.5)
    stack.workers[-1].kill()  # the whole worker: its message waits in Redis, unacked
    stack.workers[-1].wait(10)
    watchdog = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from liaison.services import fail_stalled_imports; print('failed', fail_stalled_imports())",
        ],
        cwd=ROOT,
        env={**stack.env, "LIAISON_IMPORT_STALL_MINUTES": "0"},
        capture_output=True,
        text=True,
    )
    failed_by_watchdog = "failed 1" in watchdog.stdout
    stack.start_worker()  # takes the corrected file, and the dead run's message comes back
    fix = upload(clerk, roster_file(stack.tmp, corrected, start=first, suffix="更正"))
    post_fetch(clerk, f"/imports/{fix}/preview/")
    assert wait_status(stack, fix, {"previewed", "failed"}, 120) == "previewed"
    post_fetch(clerk, f"/imports/{fix}/confirm/")
    fix_status = wait_status(stack, fix, {"done", "failed"}, 300)
    time.sleep(12)  # past the visibility timeout (5 s): the stale message has been handled
    stale_status = wait_status(stack, job, {"done", "failed"}, 1)
    survived = _households_named(stack, "更正")
    new = counts(stack)["households"] - before["households"]
    return {
        "rows_in_stale_file": rows,
        "failed_by_watchdog": failed_by_watchdog,
        "corrected_file": fix_status,
        "stale_job_after_redelivery": stale_status,
        "corrections_surviving": f"{survived}/{corrected}",
        "stale_rows_written": max(new - corrected, 0),
        "lost": corrected - survived,
        "twice": max(new - corrected, 0),
    }


def scenario_broker_lost_the_task(stack):
    """Redis without persistence, killed after the outbox handed the preview over and
    before a worker took it; restarted empty. Before issue 22 the job stayed "uploaded"
    for ever and /health/ said "ok"."""
    clerk = Clerk(stack)
    for worker in stack.workers:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(20)
    stack.stop_redis()
    stack.start_redis(persist=False)
    job = upload(clerk, roster_file(stack.tmp, 5, start=700000))
    post_fetch(clerk, f"/imports/{job}/preview/")  # handed to Redis; no worker runs
    killed_at = time.time()
    stack.redis.kill()
    stack.redis.wait(10)
    stack.start_redis(persist=False)  # back, empty: the message is gone
    stack.start_worker()
    time.sleep(6)  # past LIAISON_OUTBOX_RESEND_SECONDS (5 here, 120 by default)
    status_before = wait_status(stack, job, {"previewed", "failed"}, 1)
    health = requests.get(stack.url("/health/"), timeout=5).json()
    stack.manage("drain_outbox")  # the minutely beat task, run by hand
    final = wait_status(stack, job, {"previewed", "failed"}, 120)
    return {
        "status_before_drain": status_before,
        "health_before_drain": (health.get("status"), health.get("outbox_unstarted")),
        "final_status": final,
        "recovered_in_s": round(time.time() - killed_at, 1),
        "lost": 0 if final == "previewed" else 1,
        "twice": 0,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--hold", type=int, default=10)
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
            ("6 stale task redelivered", lambda: scenario_stale_redelivery(stack, args.rows)),
            ("7 broker lost a handed-over task", lambda: scenario_broker_lost_the_task(stack)),
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
