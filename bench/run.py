"""Benchmarks at province scale: prints median, p90 and min in ms for each query or page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench .venv/bin/python bench/run.py

Seed first with ``manage.py seed_scale --households 1800000`` (see bench/README.md).
Never run as a timed test: these are figures for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.db.models.functions import Substr  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from grievances.models import Matter  # noqa: E402
from grievances.services import escalate_overdue_matters, rollup_ledger  # noqa: E402
from liaison.models import MUST_VISIT_MASK, Household  # noqa: E402
from liaison.selectors import coverage_by_branch, quota_compliance_by_branch  # noqa: E402
from responsibility_areas.models import Area, Level  # noqa: E402
from responsibility_areas.selectors import child_level_counts  # noqa: E402


def measure(func, repeat: int) -> dict:
    for _ in range(3):
        func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "median": statistics.median(times),
        "p90": times[int(len(times) * 0.9) - 1],
        "min": times[0],
    }


def benchmarks():
    county = Area.objects.filter(level=Level.COUNTY).order_by("path")[
        len(Area.objects.filter(level=Level.COUNTY)) // 2
    ]
    city = Area.objects.filter(level=Level.CITY).order_by("path").first()
    province = Area.objects.filter(depth=1).first()
    county_len = county.depth * Area.steplen
    leader = get_user_model().objects.get(username="bench_county_leader")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(leader)
    leader_county = leader.memberships.get().area
    today = timezone.localdate()
    return {
        # Issue #2: the area tree.
        "county_subtree_list": lambda: list(
            Area.objects.subtree_of(county).values_list("id", "name", "level")
        ),
        "areas_per_county_province": lambda: list(
            Area.objects.filter(depth__gt=county.depth)
            .order_by()
            .annotate(c=Substr("path", 1, county_len))
            .values("c")
            .annotate(n=Count("id"))
        ),
        "child_level_counts_city": lambda: child_level_counts(city),
        "api_areas_list_scoped": lambda: client.get("/api/v1/areas/"),
        "api_areas_villages_scoped": lambda: client.get("/api/v1/areas/", {"level": "village"}),
        "county_area_page": lambda: client.get(f"/areas/{leader_county.pk}/"),
        # Issue #3: households at 1.8M.
        "county_household_aggregate_by_path": lambda: list(
            Household.objects.filter(area_path__startswith=county.path)
            .order_by()
            .values("township_id")
            .annotate(n=Count("id"), must=Count("id", filter=Q(categories__gt=0)))
        ),
        "county_household_aggregate_by_county_id": lambda: list(
            Household.objects.filter(county_id=county.pk)
            .order_by()
            .values("township_id")
            .annotate(n=Count("id"))
        ),
        "county_coverage_view_query": lambda: coverage_by_branch(county),
        "county_quota_view_query": lambda: quota_compliance_by_branch(county, today),
        "province_coverage_by_city": lambda: coverage_by_branch(province),
        "coverage_page_county_leader": lambda: client.get("/households/coverage/"),
        "quota_page_county_leader": lambda: client.get("/cadres/quotas/"),
        # Issue #4: the grievance ledger (seed_scale --matters 670000: ~500k open matters).
        # The escalation pass runs in a transaction that is rolled back, so every run sees
        # the same overdue set.
        "escalation_pass_open_matters": rolled_back(escalate_overdue_matters),
        "province_monthly_rollup": lambda: rollup_ledger(month=today),
    }, county


def rolled_back(func):
    """Run ``func`` and roll it back, so every run sees the same data.

    Foreign keys are checked at once (not deferred to a COMMIT that never comes), so the
    figure includes every check a committed pass would pay.
    """

    def run():
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            func()
            transaction.set_rollback(True)

    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    areas = Area.objects.count()
    if areas < 10_000:
        sys.exit(
            f"Only {areas} areas: run `manage.py seed_scale --households 1800000` first (PostgreSQL)."
        )
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; areas {areas:,}; "
        f"households {Household.objects.count():,}; must-visit mask {MUST_VISIT_MASK}"
    )
    print(
        f"ledger matters {Matter.objects.count():,}, open {Matter.objects.open().count():,}, "
        f"overdue now {Matter.objects.overdue().count():,}"
    )
    cases, county = benchmarks()
    print(
        f"county under test: {county.name} ({Household.objects.filter(county_id=county.pk).count():,} households)"
    )
    print(f"{'benchmark':44} {'median ms':>10} {'p90 ms':>8} {'min ms':>8}")
    for name, func in cases.items():
        if args.only and args.only not in name:
            continue
        r = measure(func, args.repeat)
        print(f"{name:44} {r['median']:10.1f} {r['p90']:8.1f} {r['min']:8.1f}")


if __name__ == "__main__":
    main()
