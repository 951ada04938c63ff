"""The ledger as an Excel workbook, and the redaction every ledger page and export applies.

Two dangers in a spreadsheet made of what people typed:
- formula injection: a cell starting with ``= + - @``, a tab or a carriage return is run
  by Excel/WPS as a formula (``=HYPERLINK(...)``). Such cells are prefixed with ``'`` and
  written as strings.
- personal numbers: a clerk may type a resident ID number or a mobile phone into the
  description. The ledger never shows them: free text passes through :func:`redact`.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from foundation.masking import redact
from foundation.masking import safe_cell as _safe_cell
from responsibility_areas.places import Place, places_for

OVERDUE_FILL = PatternFill("solid", fgColor="FDE2E1")
EXPORT_LIMIT = 50_000


def safe_cell(value):
    """A value that a spreadsheet shows and never evaluates, ID and phone numbers masked."""
    return _safe_cell(redact(value) if isinstance(value, str) else value)


def _columns(places):
    def where(m):
        return places.get(m.area_path) or Place()

    return [
        (_("Number"), lambda m: m.number),
        (_("Applicant"), lambda m: m.applicant_name),
        (_("Township"), lambda m: where(m).township),
        (_("Village"), lambda m: where(m).village),
        (_("Group"), lambda m: where(m).group),
        (_("Kind"), lambda m: m.get_kind_display()),
        (_("Topic"), lambda m: m.topic),
        (_("Matter"), lambda m: m.description),
        (_("Source"), lambda m: m.get_source_display()),
        (_("Received on"), lambda m: m.received_on),
        (_("Owner"), lambda m: m.owner.name),
        (_("Handling level"), lambda m: m.get_level_display()),
        (_("Handling area"), lambda m: m.handling_area.name),
        (_("Current handler"), lambda m: m.handler.name if m.handler else ""),
        (_("Deadline"), lambda m: m.deadline),
        (_("Status"), lambda m: m.get_status_display()),
        (_("Overdue"), lambda m: _("yes") if m.is_overdue() else ""),
        (_("Times escalated"), lambda m: m.escalation_count),
        (_("Resolved on"), lambda m: m.resolved_on),
        (_("Satisfaction"), lambda m: m.get_satisfaction_display()),
        (_("Closed out on"), lambda m: m.closed_on),
    ]


def ledger_workbook(matters) -> bytes:
    """An .xlsx of ``matters`` (already scoped and filtered), headers in Chinese.

    Written row by row (openpyxl's write-only mode: memory per row, not per workbook);
    every text cell a string, overdue rows filled.
    """
    with translation.override(settings.LANGUAGE_CODE):
        places = {}
        columns = _columns(places)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Grievance ledger"))
        for index, width in enumerate(
            [20, 10, 12, 12, 12, 12, 10, 40, 10, 12, 10, 10, 12, 10, 12, 10, 6, 6, 12, 10, 12],
            start=1,
        ):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        sheet.append([_styled(sheet, str(title), font=bold) for title, _value in columns])
        queryset = matters.select_related("area", "owner", "handling_area", "handler")
        # Every place of the export named at once: the distinct areas, then their ancestors.
        paths = matters.order_by().values_list("area_path", flat=True).distinct()
        places.update(places_for(paths[:EXPORT_LIMIT]))
        for matter in queryset[:EXPORT_LIMIT].iterator(chunk_size=2000):
            fill = OVERDUE_FILL if matter.is_overdue() else None
            sheet.append(
                [_styled(sheet, safe_cell(value(matter)), fill=fill) for _title, value in columns]
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _styled(sheet, value, font=None, fill=None):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = TYPE_STRING  # never a formula, whatever it reads
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def export_filename() -> str:
    """群众诉求台账20261207.xlsx, named like every other export."""
    return f"{_('Grievance ledger')}{timezone.localdate():%Y%m%d}.xlsx"
