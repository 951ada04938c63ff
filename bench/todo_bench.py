"""Issue 13's benchmark: 待办 (the home page's to-do lists) at province scale.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench
    .venv/bin/python bench/todo_bench.py --repeat 20

On the province-scale seed (see bench/README.md). Creates, once, a township clerk
(`bench_clerk`) of a township of the bench county and gives a user (`bench_cadre`) to the
cadre of that township with the most pairings — benchmark data, written with the services.
Measures ``todo_for`` per role (every list: first five rows and the count) and the whole home
page, median / p90 / min in ms, the number of queries, and EXPLAIN ANALYZE of the slowest.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.run import measure  # noqa: E402
from liaison.models import Cadre  # noqa: E402
from portal.todo import todo_for  # noqa: E402
from responsibility_areas.models import Area, Role  # noqa: E402
from responsibility_areas.services import grant_membership  # noqa: E402

User = get_user_model()


def _user(username, area, role):
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_password("bench-Bench-2026")
        user.save()
        grant_membership(
            actor=None,
            actor_name="bench",
            user=user,
            area=area,
            role=role,
            start_date=date(2020, 1, 1),
        )
    return user


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    leader = User.objects.get(username="bench_county_leader")
    county = leader.memberships.get().area
    township = Area.objects.filter(path__startswith=county.path, depth=county.depth + 1).first()
    clerk = _user("bench_clerk", township, Role.CLERK)
    cadre_user = _user("bench_cadre", township, Role.CADRE)
    if not Cadre.objects.filter(user=cadre_user).exists():
        busiest = (
            Cadre.objects.filter(area_path__startswith=township.path, user__isnull=True)
            .annotate(n=Count("pairings"))
            .order_by("-n")
            .first()
        )
        Cadre.objects.filter(pk=busiest.pk).update(user=cadre_user)  # benchmark data only
    cadre_user = User.objects.get(pk=cadre_user.pk)
    cases = {
        f"cadre ({cadre_user.cadre.name}, {cadre_user.cadre.pairings.count()} pairings)": (
            cadre_user,
            township,
        ),
        f"township clerk ({township.name})": (clerk, township),
        f"county leader ({county.name})": (leader, county),
    }
    for name, (user, area) in cases.items():

        def run(user=user, area=area):
            fresh = User.objects.get(pk=user.pk)  # no per-request caches carried over
            return todo_for(fresh, area)

        figures = measure(run, args.repeat)
        with CaptureQueriesContext(connection) as queries:
            groups = run()
        counts = {s.key: s.count for _title, sections in groups for s in sections}
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        print(
            f"todo {name}: median {figures['median']:.1f} ms, p90 {figures['p90']:.1f} ms, "
            f"min {figures['min']:.1f} ms, {len(queries)} queries; counts {counts}"
        )
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            plan = "\n".join("    " + row[0] for row in cursor.fetchall()[:14])
        print(f"  slowest ({slowest['time']} s): {slowest['sql'][:160]}…\n{plan}")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)

        def page(client=client):
            cache.clear()
            assert client.get("/").status_code == 200

        figures = measure(page, args.repeat)
        print(
            f"  home page (cold cache): median {figures['median']:.1f} ms, "
            f"p90 {figures['p90']:.1f} ms"
        )


if __name__ == "__main__":
    main()
