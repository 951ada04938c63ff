"""The dashboard's tables as an Excel workbook (one sheet per table, as on the page)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from foundation.masking import safe_cell

from .figures import INDICATORS


def _sheet(book, title, header, rows):
    sheet = book.create_sheet(title=title[:31])
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for index, _h in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 16 if index > 1 else 24
    sheet.freeze_panes = "B2"
    return sheet


def _value(value, percent=False):
    if value is None:
        return "–"
    return f"{value}%" if percent else value


def dashboard_workbook(board) -> bytes:
    book = Workbook()
    book.remove(book.active)
    area, period, total = board["area"], board["period"], board["total"]
    overview = [[str(i.label), _value(total.get(i.key), i.percent)] for i in INDICATORS]
    for row in board["activity"]:
        overview.append(
            [
                _("%(figure)s, previous period") % {"figure": row["indicator"].label},
                row["previous"],
            ]
        )
        overview.append(
            [
                _("%(figure)s, same period last year") % {"figure": row["indicator"].label},
                row["last_year"],
            ]
        )
    satisfaction = board["satisfaction"]
    if satisfaction.get("campaign"):
        overview.append([_("Satisfaction rate"), _value(satisfaction["satisfaction_rate"], True)])
        overview.append(
            [_("Dissatisfaction rate"), _value(satisfaction["dissatisfaction_rate"], True)]
        )
    overview.append([_("Accountability cases open"), satisfaction["cases_open"]])
    overview.append([_("Joint meetings due"), len(board["meetings_due"])])
    overview.append([_("Supervision notices open"), board["notices_open"]])
    _sheet(
        book,
        _("Overview"),
        [f"{area.name} · {period.label}", _("Value")],
        overview,
    )
    _sheet(
        book,
        _("Areas below"),
        [_("Area"), *[str(i.label) for i in INDICATORS]],
        [
            [row["area"].name, *[_value(row.get(i.key), i.percent) for i in INDICATORS]]
            for row in board["children"]
        ],
    )
    trend_keys = [
        ("contacts", _("Contacts")),
        ("visits_in", _("In-person visits")),
        ("stay_days", _("Days lived in villages")),
        ("new", _("New matters")),
        ("pending", _("Open matters")),
        ("overdue", _("Overdue")),
        ("on_time_rate", _("Settled on time")),
    ]
    _sheet(
        book,
        _("Twelve months"),
        [_("Month"), *[label for _k, label in trend_keys]],
        [
            [
                f"{row['month'].year}年{row['month'].month}月",
                *[_value(row.get(k)) for k, _l in trend_keys],
            ]
            for row in board["trend"]
        ],
    )
    _sheet(
        book,
        _("By kind"),
        [_("Kind"), _("New matters"), _("Open matters")],
        [[str(r["label"]), r["new"], r["pending"]] for r in board["kinds"]["by_kind"]],
    )
    _sheet(
        book,
        _("Oldest overdue"),
        [
            _("Number"),
            _("Where it arose"),
            _("Owner"),
            _("Handler"),
            _("Handling level"),
            _("Deadline"),
        ],
        [
            [
                m.number,
                m.area.name,
                m.owner.name if m.owner_id else "",
                m.handler.name if m.handler_id else "",
                m.get_level_display(),
                f"{m.deadline.year}年{m.deadline.month}月{m.deadline.day}日",
            ]
            for m in board["oldest_overdue"]
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
