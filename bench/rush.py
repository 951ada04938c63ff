"""The month-end rush (issue 22 §5): 100 clerks save diaries with two matters each.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench   # seed_scale'd
    .venv/bin/python bench/rush.py                       # 100 clerks, 60 s, 3 workers
    .venv/bin/python bench/rush.py --think 0.5 --duration 30

Each clerk is one township's clerk (4 townships in each of 25 counties, so the clerks of a
county share its matter counter), with an API token, saving diaries of its township's
paired cadres and households through ``POST /api/v1/visits/`` with two matters each and an
``Idempotency-Key`` of its own. wrk (Debian's package) keeps 100 connections, one per
clerk, and pauses ``--think`` seconds (the typing) before each save; the web is gunicorn as
production runs it (``-c portal/gunicorn_conf.py``, ``WEB_CONCURRENCY=3``), on the same two
cores as PostgreSQL and wrk.

After the run, the database is counted, not trusted: the diaries the run wrote (its marker
in ``place``) must equal the 201s wrk saw (none lost, none doubled), with exactly two
matters each, numbered without gaps per county; then 200 of the keys are sent again and
must return the first diary and write nothing. Prints diaries/s, p50/p95/p99 and errors.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402
from django.utils import timezone  # noqa: E402

from foundation.apitokens import issue_token  # noqa: E402
from grievances.models import Matter  # noqa: E402
from liaison.models import Pairing, Visit  # noqa: E402
from responsibility_areas.models import Area, Level, Role  # noqa: E402
from responsibility_areas.services import grant_membership  # noqa: E402

PORT = 8101
DRAIN = 15  # seconds after the run for the last saves to be answered (wrk's timeout is 10 s)
PAIRS_PER_CLERK = 30

SCRIPT = r"""
local clerks = {%(clerks)s}
local run, day, think = "%(run)s", "%(day)s", %(think_ms)d
local threads, tid_next = {}, 0

setup = function(thread)
  thread:set("tid", tid_next)
  tid_next = tid_next + 1
  table.insert(threads, thread)
end

init = function(args)
  n, created, other = 0, 0, 0
  stop_at = os.time() + %(seconds)d
  math.randomseed(tid * 7919 + os.time())
end

-- The clerk types (think time) before each save; after the run's end no clerk starts a
-- new save, so every request sent is answered before wrk stops (-d is longer by DRAIN).
delay = function()
  if os.time() >= stop_at then
    return 3600000
  end
  return math.random(think / 2, think * 3 / 2)
end

request = function()
  n = n + 1
  local clerk = clerks[((n * 2 + tid) %% #clerks) + 1]
  local pair = clerk.pairs[(n %% #clerk.pairs) + 1]
  local key = run .. "-" .. tid .. "-" .. n
  local body = string.format(
    '{"cadre":%%d,"visited_on":"%%s","kind":"home","place":"%%s","households":[%%d],' ..
    '"matters":[{"household":%%d,"kind":"difficulty","description":"屋顶漏雨 %%s"},' ..
    '{"household":%%d,"kind":"suggestion","description":"修村道 %%s"}]}',
    pair[1], day, run, pair[2], pair[2], key, pair[2], key)
  return wrk.format("POST", "/api/v1/visits/", {
    ["Authorization"] = "Token " .. clerk.token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
  }, body)
end

response = function(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end

done = function(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.timeout
  io.write(string.format(
    "RESULT rps=%%.1f p50=%%.1f p90=%%.1f p95=%%.1f p99=%%.1f max=%%.1f errors=%%d requests=%%d created=%%d other=%%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors, summary.requests, c, o))
end
"""


def clerks(count: int) -> list[dict]:
    """``count`` township clerks (4 per county), each with a token and paired people."""
    counties = list(Area.objects.filter(level=Level.COUNTY).order_by("path")[: count // 4 + 1])
    chosen = []
    for county in counties:
        townships = Area.objects.filter(
            level=Level.TOWNSHIP, path__startswith=county.path
        ).order_by("path")[:4]
        for township in townships:
            pairs = list(
                Pairing.objects.filter(
                    township_id=township.pk, end_date__isnull=True, cadre__township_id=township.pk
                ).values_list("cadre_id", "household_id")[:PAIRS_PER_CLERK]
            )
            if pairs:
                chosen.append((township, pairs))
        if len(chosen) >= count:
            break
    users = get_user_model().objects
    out = []
    for n, (township, pairs) in enumerate(chosen[:count]):
        user, _ = users.get_or_create(username=f"bench_rush_clerk_{n:03d}")
        grant_membership(actor=None, actor_name="bench", user=user, area=township, role=Role.CLERK)
        out.append(
            {"token": issue_token(actor=None, user=user)[0], "pairs": pairs, "county": township}
        )
    if len(out) < count:
        raise SystemExit(f"only {len(out)} townships with paired people: seed_scale first")
    return out


def lua_clerks(chosen: list[dict]) -> str:
    def pairs(clerk):
        return ", ".join(f"{{{cadre},{household}}}" for cadre, household in clerk["pairs"])

    return ", ".join(f'{{token="{c["token"]}", pairs={{{pairs(c)}}}}}' for c in chosen)


def start_server(workers: int):
    env = {
        **os.environ,
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        # wrk's idle connections wait out the drain (DRAIN s) after the run: gunicorn's 5 s
        # keep-alive would close each of them, and wrk counts a close as a read error.
        "GUNICORN_KEEPALIVE": str(DRAIN + 15),
        "GUNICORN_HEALTH_BIND": "",  # no health thread: nothing here probes it
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "portal/gunicorn_conf.py", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health/", timeout=2)
            return server
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def wrk(script: str, connections: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration + DRAIN}s",
        "--timeout",
        "10s",
        "-s",
        file.name,
        f"http://127.0.0.1:{PORT}/api/v1/visits/",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"RESULT (.*)", out)
    if not found:
        raise SystemExit(out)
    socket = re.search(r"Socket errors: (.*)", out)
    if socket:
        print(f"wrk socket errors: {socket.group(1)}", flush=True)
    return {k: float(v) for k, v in (part.split("=") for part in found.group(1).split())}


def replay(chosen: list[dict], run: str, day: str, sample: int) -> tuple[int, int]:
    """Send ``sample`` of the run's keys again, each with its first body: (answers naming
    the first diary, rows written by them)."""
    from foundation.models import Submission

    tokens = {
        user_id: chosen[int(name.rsplit("_", 1)[1])]["token"]
        for user_id, name in get_user_model()
        .objects.filter(username__startswith="bench_rush_clerk_")
        .values_list("pk", "username")
        if int(name.rsplit("_", 1)[1]) < len(chosen)
    }
    visits = dict(Visit.objects.filter(place=run).values_list("pk", "cadre_id")[:sample])
    households = dict(
        Visit.households.through.objects.filter(visit_id__in=visits).values_list(
            "visit_id", "household_id"
        )
    )
    sent = Submission.objects.filter(
        scope="visit", object_id__in=[str(pk) for pk in visits]
    ).values_list("object_id", "key", "user_id")
    before = Visit.objects.filter(place=run).count()
    same = 0
    for object_id, key, user_id in sent:
        pk = int(object_id)
        household = households[pk]
        body = {
            "cadre": visits[pk],
            "visited_on": day,
            "kind": "home",
            "place": run,
            "households": [household],
            "matters": [
                {"household": household, "kind": "difficulty", "description": f"屋顶漏雨 {key}"},
                {"household": household, "kind": "suggestion", "description": f"修村道 {key}"},
            ],
        }
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}/api/v1/visits/",
            data=json.dumps(body).encode(),
            headers={
                "Authorization": f"Token {tokens[user_id]}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                same += json.loads(answer.read())["id"] == pk
        except urllib.error.HTTPError as exc:
            print(f"replay of {key}: {exc.code} {exc.read()[:200]!r}")
    return same, Visit.objects.filter(place=run).count() - before


def count(run: str, created: int) -> dict:
    visits = Visit.objects.filter(place=run)
    matters = Matter.objects.filter(visit_matter__visit__place=run)
    per_visit = (
        visits.annotate(m=Count("matters")).values_list("m", flat=True).distinct().order_by()
    )
    gaps = []
    by_county = (
        matters.values("county_id")
        .annotate(n=Count("pk"), lo=Min("number"), hi=Max("number"))
        .order_by()
    )
    for row in by_county:
        lo, hi = int(row["lo"].rsplit("-", 1)[1]), int(row["hi"].rsplit("-", 1)[1])
        if hi - lo + 1 != row["n"]:
            gaps.append((row["county_id"], row["n"], lo, hi))
    return {
        "diaries_in_db": visits.count(),
        "created_201": created,
        "matters_in_db": matters.count(),
        "matters_per_diary": sorted(per_visit),
        "counties": len(by_county),
        "counties_with_gaps": gaps,
    }


def one_run(args, chosen) -> tuple[dict, dict, int, int]:
    run = f"rush-{uuid.uuid4().hex[:10]}"
    day = timezone.localdate().isoformat()

    def script(marker, seconds):
        return SCRIPT % {
            "clerks": lua_clerks(chosen),
            "run": marker,
            "day": day,
            "think_ms": int(args.think * 1000),
            "seconds": seconds,
        }

    server = start_server(args.workers)
    try:
        wrk(script(run + "-warm", 5), args.clerks, 5)
        figures = wrk(script(run, args.duration), args.clerks, args.duration)
        same, extra = replay(chosen, run, day, 200)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    return figures, count(run, int(figures["created"])), same, extra


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clerks", type=int, default=100)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--think", type=float, default=1.5, help="seconds between a clerk's saves")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1, help="runs; medians are printed")
    args = parser.parse_args()
    chosen = clerks(args.clerks)
    threads = os.environ.get("GUNICORN_THREADS", "2")
    ok, rates, p95s = True, [], []
    for _ in range(args.repeat):
        figures, counted, same, extra = one_run(args, chosen)
        rate = figures["created"] / args.duration
        rates.append(rate)
        p95s.append(figures["p95"])
        print(
            f"{args.clerks} clerks, think {args.think} s, {args.workers} workers × "
            f"{threads} threads, {args.duration} s: {rate:.1f} diaries/s, "
            f"p50 {figures['p50']} ms, p90 {figures['p90']} ms, p95 {figures['p95']} ms, "
            f"p99 {figures['p99']} ms, max {figures['max']} ms, "
            f"socket errors {int(figures['errors'])}, non-201 {int(figures['other'])}",
            flush=True,
        )
        print(f"counted in the database: {counted}")
        print(f"replayed 200 keys: {same} answered with the first diary, {extra} rows written")
        ok = ok and (
            counted["diaries_in_db"] == counted["created_201"]
            and counted["matters_in_db"] == 2 * counted["diaries_in_db"]
            and counted["matters_per_diary"] == [2]
            and not counted["counties_with_gaps"]
            and figures["errors"] == 0
            and figures["other"] == 0
            and extra == 0
        )
    if args.repeat > 1:
        print(
            f"MEDIAN of {args.repeat}: {statistics.median(rates):.1f} diaries/s, "
            f"p95 {statistics.median(p95s):.1f} ms"
        )
    print("RUSH OK (nothing lost, nothing twice)" if ok else "RUSH FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
