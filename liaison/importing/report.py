"""The error report of a checked roster: the file's own rows plus an 错误原因 column.

A clerk corrects the rows in this workbook and uploads it again: the extra column is
ignored by the import (with a notice). Rows with errors are filled red and the reason
names the column, so a long file is corrected with the filter on the last column.
Every cell is written as text and escaped like an export (``safe_cell``): a value such
as ``=HYPERLINK(...)`` typed into the uploaded file never becomes a live formula here.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .export import safe_cell
from .reader import Table

ERROR_HEADER = "错误原因"
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


def cell_text(value) -> str:
    """A cell as the clerk typed it, as text (numbers without a trailing .0, dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def reasons_by_row(errors: list[dict]) -> dict[int, str]:
    """Excel row number → "column: reason; column: reason"."""
    found: dict[int, list[str]] = defaultdict(list)
    for error in errors:
        column = error.get("column") or ""
        found[error["row"]].append(f"{column}：{error['message']}" if column else error["message"])
    return {row: "；".join(parts) for row, parts in found.items()}


def error_report(table: Table, errors: list[dict], *, only_errors: bool = False) -> bytes:
    """The workbook (.xlsx bytes): header, every row (or only those with errors), reasons.

    Written in openpyxl's write-only mode: a 100,000-row file stays a few MB in memory.
    """
    reasons = reasons_by_row(errors)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Errors")[:31])
    headers = [column.header for column in table.columns] + [ERROR_HEADER]
    width = len(headers)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions[get_column_letter(width)].width = 60
    rows = 1
    sheet.append(_cells(sheet, headers, font=Font(bold=True)))
    # Errors about the file as a whole (a missing column) sit on the header row.
    general = reasons.get(table.header_row)
    if general:
        sheet.append(_cells(sheet, [""] * (width - 1) + [general], fill=ERROR_FILL))
        rows += 1
    for number, values in table.rows:
        reason = reasons.get(number, "")
        if only_errors and not reason:
            continue
        texts = [cell_text(v) for v in values[: width - 1]]
        texts += [""] * (width - 1 - len(texts)) + [reason]
        sheet.append(_cells(sheet, texts, fill=ERROR_FILL if reason else None))
        rows += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{rows}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells(sheet, values: list[str], *, font=None, fill=None) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=str(safe_cell(value)))
        cell.data_type = "s"  # text, never a formula
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        cells.append(cell)
    return cells
