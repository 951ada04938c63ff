"""Issue 11's benchmark: a county's results and the province ranking from ~2M answers.

    createdb -h 127.0.0.1 -U postgres liaison_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_scale --households 1800000 --answers
    .venv/bin/python bench/evaluations_bench.py --repeat 20

Targets: a county's results under 300 ms, the province ranking under 3 s (medians).
Prints median / p90 / min in ms, the row counts, and EXPLAIN ANALYZE of each query.
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

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.run import measure  # noqa: E402
from evaluations.models import Campaign, Response, ResponseAnswer  # noqa: E402
from evaluations.selectors import campaign_validity, ranking, results_by_cadre  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    leader = get_user_model().objects.get(username="bench_county_leader")
    county = leader.memberships.get().area
    campaign = Campaign.objects.get(area=county)
    root = get_user_model().objects.filter(is_superuser=True).first() or get_user_model()(
        is_superuser=True, is_active=True
    )
    everyone = Campaign.objects.all()
    print(
        f"answers {ResponseAnswer.objects.count():,}, responses {Response.objects.count():,}, "
        f"campaigns {everyone.count()}, county {county.name}: "
        f"{Response.objects.filter(campaign=campaign).count():,} responses"
    )
    cases = {
        "county_results (a county leader, one county campaign)": lambda: results_by_cadre(
            leader, campaign
        ),
        "county_validity": lambda: campaign_validity(campaign),
        "province_ranking (all campaigns, top 100)": lambda: ranking(root, everyone, limit=100),
    }
    for name, func in cases.items():
        figures = measure(func, args.repeat)
        print(
            f"{name}: median {figures['median']:.1f} ms, p90 {figures['p90']:.1f} ms, "
            f"min {figures['min']:.1f} ms"
        )
    if connection.vendor == "postgresql":
        for name, func in cases.items():
            with CaptureQueriesContext(connection) as captured:
                func()
            # The slowest statement of the call (not the longest text).
            biggest = max(captured.captured_queries, key=lambda q: float(q["time"]))["sql"]
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + biggest)
                plan = [row[0] for row in cursor.fetchall()]
            print(f"\n-- EXPLAIN ANALYZE: {name}\n" + "\n".join(plan[:30]))


if __name__ == "__main__":
    main()
