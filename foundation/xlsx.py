"""List exports: what the filter shows, as an .xlsx streamed to the browser, and recorded.

Every list page exports through :func:`xlsx_response`: a write-only workbook (constant
memory per row) spooled to a temporary file and streamed in chunks, every cell written
as a string or a plain number — a cell starting with ``= + - @`` is neutralised by
:func:`~foundation.masking.safe_cell`, free text has its ID and phone numbers redacted —
and :func:`record_export` leaves who exported what, with which filter and how many rows.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable
from urllib.parse import quote

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from . import audit
from .masking import redact, safe_cell

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IN_MEMORY = 8 * 1024 * 1024  # larger workbooks spill to disk while they are written


def _cell(sheet, value):
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    text = safe_cell(redact(str(value)) if value is not None else "")
    cell = WriteOnlyCell(sheet, value=str(text))
    cell.data_type = "s"  # a string: never a formula, never a number that loses digits
    return cell


def xlsx_response(
    filename: str, sheet_title: str, headers: list[str], rows: Iterable[list], widths=None
) -> tuple[FileResponse, int]:
    """(an attachment response streaming the workbook, number of data rows written)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])
    for i, width in enumerate(widths or []):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 - the response closes it
    book.save(spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = attachment(filename)
    return response, count


def attachment(filename: str) -> str:
    """A Content-Disposition naming the file in Chinese (RFC 6266 ``filename*``), with a
    plain fallback for the oldest clients."""
    return f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"


@audit.service
def record_export(*, actor, what: str, rows: int, area_path: str = "", filters: dict | None = None):
    """Who exported which list, filtered how, how many rows (the change log shows it)."""
    audit.record(
        actor=actor,
        action="list.exported",
        area_path=area_path,
        data={"what": what, "rows": rows, "filters": filters or {}},
    )


def export_list(request, *, what: str, title: str, headers, rows, area=None, where: str = ""):
    """What a list page's filter shows, as an attachment, recorded (who, which list, filter,
    how many rows). ``where``: the place in the file name (乡镇 / 村), today's date follows."""
    day = timezone.localdate().strftime("%Y%m%d")
    name = f"{title}（{where}）{day}.xlsx" if where else f"{title}{day}.xlsx"
    response, count = xlsx_response(name, title, headers, rows)
    record_export(
        actor=request.user,
        what=what,
        rows=count,
        area_path=getattr(area, "path", "") or "",
        filters={key: value for key, value in request.GET.items() if value},
    )
    return response
