"""The roster template a clerk downloads, fills in and uploads (结对花名册模板).

The headers are the import's own (``ROSTER_COLUMNS``, without the optional division
code), the ID and phone columns are formatted as text so Excel never turns an ID number
into 5.30802E+17, and drop-down lists offer the household categories, the pairing kinds
and 是/否. The categories list warns but does not refuse other input: a household may
have several categories, written 低保户、残疾人家庭.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from foundation.identity import check_character
from responsibility_areas.models import Area, Level

from .cells import category_label_list, kind_label_list
from .plan import ROSTER_COLUMNS, ROSTER_HEADERS

TEMPLATE_KEYS = [key for key, _header, _aliases in ROSTER_COLUMNS if key != "division_code"]
TEMPLATE_HEADERS = [header for key, header, _aliases in ROSTER_COLUMNS if key != "division_code"]
TEXT_KEYS = ("id_number", "phone", "cadre_phone", "start_date")
FILLED_ROWS = 2000  # rows pre-formatted as text and covered by the drop-down lists
_LEVEL_KEY = {
    Level.COUNTY: "county",
    Level.TOWNSHIP: "township",
    Level.DEPARTMENT: "township",
    Level.VILLAGE: "village",
    Level.COMMUNITY: "village",
    Level.GROUP: "group",
}
_EXAMPLE_ID_BODY = "53080219800101001"


def example_row(area: Area | None) -> dict[str, str]:
    """One filled-in row; the place is ``area`` (a village of the user's own) when given."""
    places = {"county": "思茅区", "township": "思茅镇", "village": "甲村", "group": "一组"}
    if area is not None:
        places = {"county": "", "township": "", "village": "", "group": ""}
        step = Area.steplen
        prefixes = [area.path[:i] for i in range(step, len(area.path) + 1, step)]
        for node in Area.objects.filter(path__in=prefixes).order_by("depth"):
            if node.level in _LEVEL_KEY:
                places[_LEVEL_KEY[node.level]] = node.name
    categories, kinds = category_label_list(), kind_label_list()
    return {
        **places,
        "head_name": "张三",
        "id_number": _EXAMPLE_ID_BODY + check_character(_EXAMPLE_ID_BODY),
        "phone": "13800000000",
        "members": "4",
        "categories": f"{categories[1]}、{categories[4]}",
        "party_member": "否",
        "cadre_name": "李四",
        "cadre_unit": f"{places['township'] or '思茅镇'}人民政府",
        "cadre_post": "副镇长",
        "cadre_phone": "13900000000",
        "kind": kinds[0],
        "start_date": "2024-03-01",
    }


def _list_validation(
    values: list[str], column: str, *, strict: bool, title: str, prompt: str
) -> DataValidation:
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showDropDown=False,  # (sic) False shows the in-cell arrow in Excel
        showErrorMessage=strict,
        showInputMessage=True,
        promptTitle=title,
        prompt=prompt[:255],
    )
    validation.add(f"{column}2:{column}{FILLED_ROWS + 1}")
    return validation


def roster_template(example_area: Area | None = None) -> bytes:
    """The template workbook as .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "结对花名册"
    sheet.append(TEMPLATE_HEADERS)
    example = example_row(example_area)
    sheet.append([example[key] for key in TEMPLATE_KEYS])
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    columns = {key: get_column_letter(i) for i, key in enumerate(TEMPLATE_KEYS, 1)}
    for key, letter in columns.items():
        sheet[f"{letter}1"].font, sheet[f"{letter}1"].fill = bold, header_fill
        sheet[f"{letter}2"].font = grey
        sheet.column_dimensions[letter].width = 20 if key in TEXT_KEYS else 12
    for key in TEXT_KEYS:
        letter = columns[key]
        for row in range(2, FILLED_ROWS + 2):
            sheet[f"{letter}{row}"].number_format = "@"  # text: keeps all 18 digits
    sheet.freeze_panes = "A2"
    for validation in (
        _list_validation(
            category_label_list(),
            columns["categories"],
            strict=False,
            title=ROSTER_HEADERS["categories"],
            prompt=_("Pick from the list; separate several with 、"),
        ),
        _list_validation(
            kind_label_list(),
            columns["kind"],
            strict=True,
            title=ROSTER_HEADERS["kind"],
            prompt=_("Pick the pairing kind"),
        ),
        _list_validation(
            ["是", "否"],
            columns["party_member"],
            strict=True,
            title=ROSTER_HEADERS["party_member"],
            prompt=_("是 (yes) or 否 (no)"),
        ),
    ):
        sheet.add_data_validation(validation)
    _notes(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _notes(book: Workbook) -> None:
    notes = book.create_sheet(_("Instructions"))
    for line in (
        _("Row 2 is an example: delete it or replace it with real data before importing."),
        _("One row per pairing: a household paired with several cadres takes several rows."),
        _(
            "Write ID numbers and phone numbers as text (this template formats those columns as "
            "text), never as numbers."
        ),
        _("A household may have several categories, separated by 、 e.g. 低保户、残疾人家庭."),
        _("Pairing dates may be written 2024-03-01, 2024/3/1 or 2024年3月1日."),
        _(
            "Cadres are recognised by their mobile number, households by their ID number; "
            "importing the same file again registers nothing twice."
        ),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 90
