"""manage.py import_roster FILE [--dry-run] [--user USERNAME] [--sheet NAME] [--valid-rows-only]"""

import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liaison import services
from liaison.importing import ReadError, UnsafeFile, check_upload, plan_roster


class Command(BaseCommand):
    help = "Check (--dry-run) or import a pairing roster from .xlsx, .xls or .csv."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument("--user", help="Import as this user (their areas only).")
        parser.add_argument("--sheet", help="The sheet to read (default: the first with a header).")
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="Import the rows without errors even if other rows have errors.",
        )

    def handle(self, *args, file, dry_run, user, sheet, valid_rows_only, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("No such user: %(user)s") % {"user": user})
        data = path.read_bytes()
        try:
            check_upload(data, path.name)
            plan = plan_roster(data, file_name=path.name, user=actor, sheet=sheet)
        except (UnsafeFile, ReadError) as exc:
            raise CommandError(exc.message) from exc
        report = plan.report
        if not dry_run:
            try:
                services.import_roster(
                    actor=actor,
                    plan=plan,
                    file_name=path.name,
                    sha256=hashlib.sha256(data).hexdigest(),
                    valid_rows_only=valid_rows_only,
                )
            except services.LiaisonError as exc:
                self.print_report(report)
                raise CommandError(exc.message) from exc
        self.print_report(report)
        if report.errors:
            raise CommandError(_("%(n)d rows with errors.") % {"n": report.error_rows})

    def print_report(self, report):
        w = self.stdout.write
        w(
            _("File %(file)s, sheet %(sheet)s, header in row %(row)d.")
            % {"file": report.file_name, "sheet": report.sheet, "row": report.header_row}
        )
        for notice in report.notices:
            w("  " + notice)
        w(
            _(
                "Rows: %(total)d; new %(new)d, updated %(updated)d, unchanged %(unchanged)d, "
                "with errors %(errors)d."
            )
            % {
                "total": report.total_rows,
                "new": report.new,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "errors": report.error_rows,
            }
        )
        w(
            _(
                "Households: %(hn)d new, %(hu)d updated; cadres: %(cn)d new, %(cu)d updated; "
                "pairings: %(pn)d new, %(pu)d updated."
            )
            % {
                "hn": report.households_new,
                "hu": report.households_updated,
                "cn": report.cadres_new,
                "cu": report.cadres_updated,
                "pn": report.pairings_new,
                "pu": report.pairings_updated,
            }
        )
        for e in report.errors:
            w(
                _("Row %(row)d, column %(column)s: %(message)s")
                % {"row": e.row, "column": e.column, "message": e.message}
            )
        w(_("Written.") if report.written else _("Nothing was written."))
