"""Export the pairing roster to .xlsx with the import's own headers, safely.

* Same Chinese headers and value forms as the import, so an export re-imports unchanged.
* Every text cell is written as a string, and one that begins with ``= + - @``, tab,
  CR or NUL gets a leading ``'`` (django-import-export's own option only deletes a
  leading ``=``), so a spreadsheet never evaluates it; the import strips that ``'``.
* Full ID and phone numbers only for users with ``liaison.view_full_pii``, and each such
  export is recorded in the change log; everyone else gets them masked (a masked file
  cannot be imported back as ID numbers — the import says so row by row).
"""

from __future__ import annotations

import io

from django.utils import translation

from foundation import crypto
from foundation.masking import safe_cell
from liaison.models import HouseholdCategory, Pairing, PairingKind
from responsibility_areas.models import Area, Level

from .plan import ROSTER_COLUMNS

EXPORT_KEYS = [key for key, _h, _a in ROSTER_COLUMNS if key != "division_code"]
_LEVEL_KEY = {
    Level.COUNTY: "county",
    Level.TOWNSHIP: "township",
    Level.DEPARTMENT: "township",
    Level.VILLAGE: "village",
    Level.COMMUNITY: "village",
    Level.GROUP: "group",
}


def can_see_full_pii(user) -> bool:
    return user is not None and user.has_perm("liaison.view_full_pii")


def _area_names(paths) -> dict[str, dict[str, str]]:
    """For each area path: its county/township/village/group names (one query)."""
    step = Area.steplen
    prefixes = {p[:i] for p in paths for i in range(step, len(p) + 1, step)}
    nodes = {
        path: (name, level)
        for path, name, level in Area.objects.filter(path__in=prefixes).values_list(
            "path", "name", "level"
        )
    }
    names = {}
    for path in paths:
        row = {}
        for i in range(step, len(path) + 1, step):
            name, level = nodes[path[:i]]
            if level in _LEVEL_KEY:
                row[_LEVEL_KEY[level]] = name
        names[path] = row
    return names


def roster_rows(pairings, *, full_pii: bool):
    """One dict per open pairing, keyed like ``ROSTER_COLUMNS``, values as the import reads them."""
    with translation.override("zh-hans"):
        categories = {c: str(label) for c, label in HouseholdCategory.choices}
        kinds = {k: str(label) for k, label in PairingKind.choices}
    bits = [(1 << i, c) for i, c in enumerate(HouseholdCategory.values)]
    rows = list(
        pairings.filter(end_date__isnull=True)
        .order_by("area_path", "id")
        .values(
            "kind",
            "start_date",
            "area_path",
            "household__head_name",
            "household__id_number_encrypted",
            "household__id_number_masked",
            "household__phone_encrypted",
            "household__phone_masked",
            "household__members",
            "household__categories",
            "household__party_member",
            "cadre__name",
            "cadre__unit",
            "cadre__post",
            "cadre__phone",
        )
    )
    places = _area_names({r["area_path"] for r in rows})
    for r in rows:
        mask = r["household__categories"]
        yield {
            **{
                k: places[r["area_path"]].get(k, "")
                for k in ("county", "township", "village", "group")
            },
            "head_name": r["household__head_name"],
            "id_number": (
                crypto.decrypt(r["household__id_number_encrypted"])
                if full_pii
                else r["household__id_number_masked"]
            ),
            "phone": (
                crypto.decrypt(r["household__phone_encrypted"])
                if full_pii
                else r["household__phone_masked"]
            ),
            "members": str(r["household__members"]),
            "categories": "、".join(categories[c] for bit, c in bits if mask & bit),
            "party_member": "是" if r["household__party_member"] else "否",
            "cadre_name": r["cadre__name"],
            "cadre_unit": r["cadre__unit"],
            "cadre_post": r["cadre__post"],
            "cadre_phone": r["cadre__phone"] if full_pii else _mask_phone(r["cadre__phone"]),
            "kind": kinds.get(r["kind"], r["kind"]),
            "start_date": r["start_date"].isoformat(),
        }


def _mask_phone(phone: str) -> str:
    from foundation.identity import mask_mobile

    return mask_mobile(phone)


def write_xlsx(rows, headers: list[str], keys: list[str], sheet_title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title)
    sheet.append(headers)
    for row in rows:
        cells = []
        for key in keys:
            cell = WriteOnlyCell(sheet, value=str(safe_cell(row.get(key, ""))))
            cell.data_type = "s"  # a string, never a formula or a number that loses digits
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_roster(*, user, pairings=None) -> tuple[bytes, bool]:
    """The open pairings ``user`` may see as .xlsx; returns (file bytes, full PII or masked).

    Full numbers go only to holders of ``liaison.view_full_pii`` and the export is audited.
    """
    from liaison import services

    pairings = Pairing.objects.visible_to(user) if pairings is None else pairings.visible_to(user)
    full = can_see_full_pii(user)
    rows = list(roster_rows(pairings, full_pii=full))
    headers = [h for key, h, _a in ROSTER_COLUMNS if key != "division_code"]
    data = write_xlsx(rows, headers, EXPORT_KEYS, "结对花名册")
    if full:
        services.record_pii_export(actor=user, what="roster", rows=len(rows))
    return data, full
