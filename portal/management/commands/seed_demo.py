from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from evaluations.demo import seed_evaluations
from grievances.demo import seed_ledger
from liaison.demo import seed_people
from liaison.services import ensure_user
from responsibility_areas.demo import demo_specs
from responsibility_areas.models import Role
from responsibility_areas.services import ensure_area_tree, grant_membership

DEMO_PASSWORD = "Liaison-demo-2026"
ACTOR = "system:seed_demo"

# username, surname, given name, role, area key in demo_specs(), superuser
DEMO_USERS = [
    ("admin", "管", "理员", Role.ADMINISTRATOR, "c", True),
    ("county_leader", "李", "建国", Role.COUNTY_LEADER, "c530802", False),
    ("supervisor", "赵", "敏", Role.SUPERVISOR, "c530802", False),
    ("township_leader", "王", "海", Role.TOWNSHIP_LEADER, "c530802t0", False),
    ("clerk", "张", "丽", Role.CLERK, "c530802t0", False),
    ("clerk_nanping", "陈", "芳", Role.CLERK, "c530802t1", False),
    ("cadre", "刘", "强", Role.CADRE, "c530802t0", False),
]


class Command(BaseCommand):
    help = (
        "Seed the demo: the real 普洱市 area tree, a demo user for every role, and the "
        "people of 思茅区 (cadres, households, pairings, a year of visits). Idempotent."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            areas = ensure_area_tree(actor=None, actor_name=ACTOR, specs=demo_specs())
            users = {}
            for username, surname, given, role, area_key, superuser in DEMO_USERS:
                users[username] = ensure_user(
                    actor=None,
                    actor_name=ACTOR,
                    username=username,
                    password=DEMO_PASSWORD,
                    last_name=surname,
                    first_name=given,
                    is_superuser=superuser,
                )
                grant_membership(
                    actor=None,
                    actor_name=ACTOR,
                    user=users[username],
                    area=areas[area_key],
                    role=role,
                )
            people = seed_people(areas["c530802"], users)
            people.update(seed_ledger(areas["c530802"], users))
            people.update(seed_evaluations(areas["c530802"], users))
            _rollups()  # once: a second run changes nothing
        counts = ", ".join(f"{what} {n}" for what, n in people.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(areas)} areas; 思茅区 {counts}.")
        )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, surname, given, role, area_key, _superuser in DEMO_USERS:
            self.stdout.write(
                f"  {username:<16} {surname}{given}  {role.label}  {areas[area_key].name}"
            )


def _rollups(months: int = 13) -> None:
    """The monthly figures of the last ``months`` months, as the nightly tasks leave them."""
    from foundation.periods import trailing_months
    from grievances.services import rollup_ledger
    from liaison.indicators import rollup_activity
    from liaison.models import AreaMonth

    if AreaMonth.objects.exists():
        return
    for month in trailing_months(timezone.localdate(), months):
        rollup_ledger(month=month)
        rollup_activity(month=month)
