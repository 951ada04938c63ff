from django.core.management.base import BaseCommand

from grievances import outbox


class Command(BaseCommand):
    help = "Send the tasks queued in the outbox while the broker was down."

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(f"Sent {outbox.drain()} queued tasks."))
