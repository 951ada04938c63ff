"""Issue 12's benchmark: dashboards at province scale, server side, with EXPLAIN.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench
    .venv/bin/python manage.py seed_scale --households 1800000 --matters 500000 --answers
    .venv/bin/python manage.py rollup_months 13      # the nightly rollups, for 13 months
    .venv/bin/python bench/dashboard_bench.py --repeat 20

Targets (medians): a county's dashboard under 100 ms, the province's under 500 ms, a
drill-down page (a township of the county) under 100 ms. Measured cold (computed on every
request) and warm (the exact cache, kept until the next committed write). Each case is the whole page as
the test client renders it (URL routing, middleware, selectors, template, JSON for the
charts); the API returns the same figures. Prints median / p90 / min in ms and EXPLAIN
ANALYZE of the slowest statement of each page.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.run import measure  # noqa: E402
from responsibility_areas.models import Area  # noqa: E402


def client_for(username: str) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--explain", action="store_true", default=True)
    args = parser.parse_args()
    county_leader = get_user_model().objects.get(username="bench_county_leader")
    county = county_leader.memberships.get().area
    township = Area.objects.filter(path__startswith=county.path, depth=county.depth + 1).first()
    province = Area.objects.get(depth=1)
    leader, top = client_for("bench_county_leader"), client_for("bench_province_leader")
    cases = {
        f"county dashboard page ({county.name})": (leader, f"/dashboard/{county.pk}/"),
        f"drill-down page (township {township.name})": (leader, f"/dashboard/{township.pk}/"),
        "county dashboard, this year": (leader, f"/dashboard/{county.pk}/?period=year"),
        f"province dashboard page ({province.name})": (top, f"/dashboard/{province.pk}/"),
        "province dashboard, this year": (top, f"/dashboard/{province.pk}/?period=year"),
        "API /api/v1/dashboard/{county}/": (leader, f"/api/v1/dashboard/{county.pk}/"),
        "API /api/v1/dashboard/{province}/": (top, f"/api/v1/dashboard/{province.pk}/"),
    }
    for warm in (False, True):
        # Cold: every request computes (the cache keeps nothing); warm: the exact cache
        # (kept until the next committed write) answers, as for a leader's second look.
        settings.LIAISON_DASHBOARD_CACHE_SECONDS = 300 if warm else 0
        print(f"\n{'warm (cached until the next write)' if warm else 'cold (computed)'}:")
        for name, (client, url) in cases.items():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            figures = measure(lambda c=client, u=url: c.get(u), args.repeat)
            print(
                f"{name}: median {figures['median']:.1f} ms, p90 {figures['p90']:.1f} ms, "
                f"min {figures['min']:.1f} ms",
                flush=True,
            )
    settings.LIAISON_DASHBOARD_CACHE_SECONDS = 0
    cache.clear()  # the plans below are those of a computed board
    if connection.vendor == "postgresql" and args.explain:
        for name, (client, url) in cases.items():
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            timed = sorted(captured.captured_queries, key=lambda q: float(q["time"]))
            print(
                f"\n-- {name}: {len(timed)} statements, "
                f"{sum(float(q['time']) for q in timed) * 1000:.1f} ms in the database"
            )
            for query in timed[-2:][::-1]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    plan = [row[0] for row in cursor.fetchall()]
                print(f"-- {float(query['time']) * 1000:.1f} ms: " + query["sql"][:160])
                print("\n".join(plan[:25]))


if __name__ == "__main__":
    main()
