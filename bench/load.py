"""Issue 12's load test: the API under wrk, gunicorn sync workers, at province scale.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench
    .venv/bin/python bench/load.py                  # every case, 20 s each
    .venv/bin/python bench/load.py --only mixed --duration 30

Starts ``gunicorn portal.wsgi --worker-class sync`` on 127.0.0.1:8100 (the web process's
own settings: DEBUG off, JIT off, statement timeouts), takes a county leader's API token
(``bench_county_leader``), and runs ``wrk -t2 -c8`` per endpoint against one worker, then
the households list, the ledger list and the county dashboard mixed (a Lua script rotates
the paths): 8 and 20 connections on one worker, and 20 on three workers (no more than 8
connections per worker, the issue's condition for p95). Prints requests/s,
p50/p90/p95/p99 latency and errors. wrk is Debian's ``wrk`` package; gunicorn and wrk
share the machine's 2 cores with PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from foundation.apitokens import issue_token  # noqa: E402

PORT = 8100
REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p50=%.1f p90=%.1f p95=%.1f p99=%.1f errors=%d requests=%d\\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.requests))
end
"""
ROTATE = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def token_for(username: str) -> str:
    user = get_user_model().objects.get(username=username)
    return issue_token(actor=None, user=user)[0]


def start_server(workers: int = 1):
    env = {**os.environ, "LIAISON_PROCESS": "web"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "portal.wsgi",
            "-w",
            str(workers),
            "--worker-class",
            "sync",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health/", timeout=2)
            return server
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def wrk(paths: list[str], token: str, connections: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(ROTATE % ", ".join(f'"{p}"' for p in paths) + REPORT)
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-H",
        f"Authorization: Token {token}",
        "-s",
        script.name,
        f"http://127.0.0.1:{PORT}{paths[0]}",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"RESULT (.*)", out)
    figures = dict(part.split("=") for part in found.group(1).split())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non_2xx"] = non_2xx.group(1) if non_2xx else "0"
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    leader = get_user_model().objects.get(username="bench_county_leader")
    county = leader.memberships.get().area
    token = token_for("bench_county_leader")
    households = "/api/v1/households/"
    mix = [
        households + "?page_size=50",
        "/api/v1/grievances/?page_size=50",
        f"/api/v1/dashboard/{county.pk}/",
    ]
    # (paths, connections, gunicorn sync workers)
    cases = {
        "households, 50 rows": ([households + "?page_size=50"], 8, 1),
        "households, 20 rows": ([households + "?page_size=20"], 8, 1),
        "ledger, 50 rows": (["/api/v1/grievances/?page_size=50"], 8, 1),
        "diaries, 50 rows": (["/api/v1/visits/?page_size=50"], 8, 1),
        "pairings, 50 rows": (["/api/v1/pairings/?page_size=50"], 8, 1),
        # The floor: DRF with token auth, the scope and cursor paging, one row.
        "floor: notifications, 1 row": (["/api/v1/notifications/?page_size=1"], 8, 1),
        "county dashboard": ([f"/api/v1/dashboard/{county.pk}/"], 8, 1),
        "mixed, 8 users, 1 worker": (mix, 8, 1),
        "mixed, 20 users, 1 worker": (mix, 20, 1),
        # 20 users at no more than 8 connections per worker (the issue's p95 condition).
        "mixed, 20 users, 3 workers": (mix, 20, 3),
    }
    server, running = None, None
    try:
        for name, (paths, connections, workers) in cases.items():
            if args.only and args.only not in name:
                continue
            if running != workers:
                if server is not None:
                    stop_server(server)
                server, running = start_server(workers), workers
            wrk(paths, token, connections, 3)  # warm-up
            figures = wrk(paths, token, connections, args.duration)
            print(
                f"{name} (-c{connections}, {workers} worker{'s' if workers > 1 else ''}): "
                f"{figures['rps']} req/s, p50 {figures['p50']} ms, "
                f"p90 {figures['p90']} ms, p95 {figures['p95']} ms, p99 {figures['p99']} ms, "
                f"errors {figures['errors']}, non-2xx {figures['non_2xx']}, "
                f"requests {figures['requests']}",
                flush=True,
            )
    finally:
        if server is not None:
            stop_server(server)


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=10)


if __name__ == "__main__":
    main()
