from django.core.management.base import BaseCommand

from grievances.services import escalate_overdue_matters


class Command(BaseCommand):
    help = "Escalate every open matter past its deadline one level up (what the hourly task does)."

    def handle(self, *args, **options):
        moved = escalate_overdue_matters()
        self.stdout.write(self.style.SUCCESS(f"Escalated {moved} overdue matters."))
