from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grievances.services import rollup_ledger


class Command(BaseCommand):
    help = (
        "Recompute the monthly ledger of every area for a month (default: this month). Re-runnable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the current month)")

    def handle(self, *args, month=None, **options):
        if month:
            try:
                year, mon = (int(part) for part in month.split("-"))
                first = date(year, mon, 1)
            except ValueError as exc:
                raise CommandError("--month must look like 2026-03") from exc
        else:
            first = timezone.localdate().replace(day=1)
        areas = rollup_ledger(month=first)
        self.stdout.write(self.style.SUCCESS(f"Ledger {first:%Y-%m}: {areas} areas."))
