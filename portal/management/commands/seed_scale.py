import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from liaison.scale import seed_people_at_scale
from liaison.services import ensure_user
from responsibility_areas.models import Role
from responsibility_areas.scale import scale_specs
from responsibility_areas.services import ensure_area_tree, grant_membership

ACTOR = "system:seed_scale"
BENCH_PASSWORD = "Liaison-bench-2026"


class Command(BaseCommand):
    help = (
        "Bulk data for benchmarks: a province-scale area tree (idempotent) and, with "
        "--households N, cadres, households, pairings and visits (added once). Use PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cities", type=int, default=16)
        parser.add_argument("--counties", type=int, default=130)
        parser.add_argument("--townships", type=int, default=1400)
        parser.add_argument("--villages", type=int, default=14000)
        parser.add_argument("--groups-per-village", type=int, default=5)
        parser.add_argument("--households", type=int, default=0)
        parser.add_argument("--cadres", type=int, default=300_000)
        parser.add_argument("--pairings", type=int, default=2_000_000)
        parser.add_argument("--visits", type=int, default=5_000_000)
        parser.add_argument(
            "--matters", type=int, default=0, help="grievance ledger matters to add"
        )
        parser.add_argument(
            "--answers",
            action="store_true",
            help="a survey campaign per county, one answer from every paired household",
        )

    def handle(self, *args, **opts):
        started = time.perf_counter()
        specs = list(
            scale_specs(
                cities=opts["cities"],
                counties=opts["counties"],
                townships=opts["townships"],
                villages=opts["villages"],
                groups_per_village=opts["groups_per_village"],
            )
        )
        with transaction.atomic():
            areas = ensure_area_tree(actor=None, actor_name=ACTOR, specs=specs)
            users = self._bench_users(areas)
        self.stdout.write(f"areas: {len(areas)} ensured in {time.perf_counter() - started:.1f} s")
        if opts["households"]:
            started = time.perf_counter()
            with transaction.atomic():
                counts = seed_people_at_scale(
                    root=areas["p"],
                    households=opts["households"],
                    cadres=min(opts["cadres"], opts["households"]),
                    pairings=opts["pairings"]
                    if opts["households"] >= 1_000_000
                    else int(opts["households"] * 1.1),
                    visits=opts["visits"]
                    if opts["households"] >= 1_000_000
                    else opts["households"] * 3,
                    entered_by=users["bench_clerk"],
                )
            self.stdout.write(f"people: {counts} in {time.perf_counter() - started:.1f} s")
        if opts["matters"]:
            from grievances.scale import seed_matters_at_scale

            started = time.perf_counter()
            with transaction.atomic():
                counts = seed_matters_at_scale(root=areas["p"], matters=opts["matters"])
            self.stdout.write(f"ledger: {counts} in {time.perf_counter() - started:.1f} s")
        if opts["answers"]:
            from evaluations.scale import seed_answers_at_scale

            started = time.perf_counter()
            with transaction.atomic():
                counts = seed_answers_at_scale(root=areas["p"])
            self.stdout.write(f"surveys: {counts} in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # What autovacuum would have done on a live database: fresh statistics for the
            # planner and the visibility map set, so index-only scans skip the heap as
            # they do in production (a bulk COPY leaves every page "not all-visible", and
            # a server with autovacuum off never sets them). VACUUM cannot run in a
            # transaction: the command runs in autocommit.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _bench_users(self, areas) -> dict:
        users = {}
        for username, role, key in (
            ("bench_county_leader", Role.COUNTY_LEADER, "k0"),
            ("bench_clerk", Role.CLERK, "t0"),
            ("bench_province_leader", Role.COUNTY_LEADER, "p"),
        ):
            users[username] = ensure_user(
                actor=None, actor_name=ACTOR, username=username, password=BENCH_PASSWORD
            )
            grant_membership(
                actor=None, actor_name=ACTOR, user=users[username], area=areas[key], role=role
            )
        return users
