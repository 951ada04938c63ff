from django.conf import settings
from django.core.management.base import BaseCommand

from liaison import services


class Command(BaseCommand):
    help = (
        "Delete uploaded rosters older than LIAISON_IMPORT_KEEP_DAYS (they hold full ID numbers)."
    )

    def handle(self, *args, **options):
        deleted = services.purge_import_files(actor=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {deleted} uploaded files older than "
                f"{settings.LIAISON_IMPORT_KEEP_DAYS} days."
            )
        )
