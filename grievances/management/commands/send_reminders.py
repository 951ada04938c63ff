from django.core.management.base import BaseCommand
from django.utils import timezone

from grievances.services import in_working_hours, next_working_start, send_deadline_reminders


class Command(BaseCommand):
    help = (
        "Remind handlers and owners of deadlines within GRIEVANCE_REMINDER_DAYS days, once per "
        "deadline. Outside working hours nothing is sent (the next run in working hours sends)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="days before the deadline")

    def handle(self, *args, days=None, **options):
        now = timezone.now()
        if not in_working_hours(now):
            start = timezone.localtime(next_working_start(now))
            self.stdout.write(
                f"Outside working hours: deferred to the run at {start:%Y-%m-%d %H:%M}."
            )
            return
        sent = send_deadline_reminders(now=now, days_before=days)
        self.stdout.write(self.style.SUCCESS(f"Reminded {sent} matters."))
