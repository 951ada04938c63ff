from django.core.management.base import BaseCommand

from evaluations import services


class Command(BaseCommand):
    help = (
        "Store the results of campaigns closed before closed results were stored "
        "(run once after upgrading; safe to run again)."
    )

    def handle(self, *args, **options):
        n = services.freeze_closed_campaigns(actor=None)
        self.stdout.write(self.style.SUCCESS(f"Stored the results of {n} closed campaign(s)."))
