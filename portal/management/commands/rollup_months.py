"""Run the nightly rollups (ledger and liaison figures) for the last N months, oldest first.

After a bulk load (``seed_scale``, a migration from another system) the dashboards' closed
months need their rollups; the nightly tasks then keep the current month fresh.
"""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from foundation.periods import trailing_months
from grievances.services import rollup_ledger
from liaison.indicators import rollup_activity


class Command(BaseCommand):
    help = "Roll up the ledger and the liaison figures of the last N months (default 13)."

    def add_arguments(self, parser):
        parser.add_argument("months", type=int, nargs="?", default=13)

    def handle(self, *args, **opts):
        for month in trailing_months(timezone.localdate(), opts["months"]):
            started = time.perf_counter()
            ledger = rollup_ledger(month=month)
            middle = time.perf_counter()
            activity = rollup_activity(month=month)
            self.stdout.write(
                f"{month:%Y-%m}: ledger {ledger} areas in {middle - started:.1f} s, "
                f"liaison figures {activity} areas in {time.perf_counter() - middle:.1f} s"
            )
