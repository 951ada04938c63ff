"""The pairing roster (结对花名册): one row per cadre–household pairing.

:func:`plan_roster` reads a file and checks every row against the database **without
writing anything**: that is the preview (dry run). It returns a :class:`RosterPlan`
whose ``report`` counts new / updated / unchanged / error rows and lists every error
with its Excel row number, the column header as written in the file and the reason.
``liaison.services.import_roster`` writes a plan, all or nothing.

Speed: areas, cadres, households and open pairings are each loaded once per import
into dictionaries (chunked ``IN`` queries over the keys in the file), so checking a
row is dictionary look-ups, never a query.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection
from django.utils.translation import gettext as _

from foundation import crypto
from liaison.models import Cadre, Household, Pairing, category_mask

from . import cells
from .areas import AreaIndex
from .plan import (
    AREA_KEYS,
    REQUIRED,
    ROSTER_ALIASES,
    ROSTER_HEADERS,
    CheckedRows,
    PlannedRow,
    Progress,
    RosterPlan,
    RosterReport,
    RowError,
)
from .reader import ReadError, Table, read_table

CHUNK = 2000

# --- Planning ---------------------------------------------------------------------------


@lru_cache(maxsize=50000)
def initials(head_name: str) -> str:
    from liaison.services import initials as pinyin_initials

    return pinyin_initials(head_name)


def read_roster(source, *, file_name: str, sheet: str | None = None) -> Table:
    # Values are cleaned by the cell parsers, once per distinct value of a repeating column.
    return read_table(
        source, file_name=file_name, aliases=ROSTER_ALIASES, sheet=sheet, clean_values=False
    )


def check_cells(
    source, *, file_name: str, sheet: str | None = None, progress: Progress | None = None
) -> CheckedRows:
    """Read the file and check the shape of every cell; no database. ``ReadError`` if unreadable."""
    table = (
        source
        if isinstance(source, Table)
        else read_roster(source, file_name=file_name, sheet=sheet)
    )
    if not table.rows:
        raise ReadError(
            "no_rows",
            _(
                "The file holds no data rows: only the header (row %(row)d) was found. "
                "Fill in one row per pairing below it."
            )
            % {"row": table.header_row},
        )
    headers = {c.key: c.header for c in table.columns if c.key}
    checked = CheckedRows(
        file_name=file_name,
        sheet=table.sheet,
        header_row=table.header_row,
        total_rows=len(table.rows),
        notices=list(table.notices),
        headers=headers,
        errors=[],
        rows=[],
    )
    missing = [k for k in REQUIRED if k not in headers]
    if "county" not in headers and "division_code" not in headers:
        missing.insert(0, "county")
    if "village" not in headers and "division_code" not in headers:
        missing.insert(0, "village")
    if missing:
        checked.errors = [
            RowError(
                table.header_row,
                ROSTER_HEADERS[k],
                "missing_column",
                _("The column “%(header)s” is missing.") % {"header": ROSTER_HEADERS[k]},
            )
            for k in missing
        ]
        checked.missing_columns = True
        return checked
    checked.rows = _parse_rows(table, headers, checked.errors, progress)
    for row in checked.rows:
        row["_hash"] = crypto.blind_index(row["id_number"]) if row["id_number"] else None
    return checked


def plan_roster(
    source, *, file_name: str, user=None, sheet: str | None = None, progress: Progress | None = None
) -> RosterPlan:
    """Read and check every row; write nothing. Raises ``reader.ReadError`` for unreadable files.

    ``source``: the file's bytes (or a path, or a :class:`Table`), or the
    :class:`CheckedRows` a preview kept, which skips reading and the cell checks.
    """
    checked = (
        source
        if isinstance(source, CheckedRows)
        else check_cells(source, file_name=file_name, sheet=sheet, progress=progress)
    )
    report = RosterReport(
        file_name=file_name,
        sheet=checked.sheet,
        header_row=checked.header_row,
        total_rows=checked.total_rows,
        notices=list(checked.notices),
        errors=list(checked.errors),
    )
    if checked.missing_columns:
        report.error_rows = report.total_rows
        plan = RosterPlan(report, [], set(), {}, {}, {}, user=user)
        plan.checked = checked
        return plan
    plan = RosterPlan(report, [], {e.row for e in report.errors}, {}, {}, {}, user=user)
    plan.checked = checked
    _load_existing(plan, checked.rows)
    _classify(plan, checked.rows, checked.headers, AreaIndex(user))
    report.error_rows = len({e.row for e in report.errors})
    report.errors.sort(key=lambda e: e.row)
    if progress:
        progress(report.total_rows, report.total_rows)
    return plan


# Columns whose values repeat down the file (areas, cadres, kinds, dates): each distinct
# value is parsed once per import and looked up after that.
REPEATING = {
    "head_name",  # names repeat too (and a name's check is the same wherever it stands)
    "county",
    "township",
    "village",
    "group",
    "division_code",
    "members",
    "categories",
    "party_member",
    "cadre_name",
    "cadre_unit",
    "cadre_post",
    "cadre_phone",
    "kind",
    "start_date",
}
PARSERS = {
    "head_name": cells.name,
    "id_number": cells.id_number,
    "phone": cells.mobile,
    "members": cells.count,
    "categories": cells.categories,
    "party_member": cells.yes_no,
    "cadre_name": cells.name,
    "cadre_unit": cells.text,
    "cadre_post": cells.text,
    "cadre_phone": lambda v: cells.mobile(v, required=True),
    "kind": cells.pairing_kind,
    "start_date": cells.a_date,
    "division_code": cells.text,
    "county": cells.name,
    "township": cells.name,
    "village": cells.name,
    "group": cells.name,
}


def _parse_column(values: list, parse, repeating: bool) -> tuple[list, list[int]]:
    """Parse one column; a repeating column parses each distinct value once.

    Returns the parsed values (a :class:`cells.CellError` in place of each bad one) and
    the positions of the bad ones.
    """

    def attempt(value):
        try:
            return parse(value)
        except cells.CellError as exc:
            return exc

    known = None
    if repeating:
        try:
            known = {v: attempt(v) for v in set(values)}
        except TypeError:  # an unhashable cell value: parse one by one
            known = None
    if known is None:
        parsed = [attempt(v) for v in values]
        return parsed, [i for i, v in enumerate(parsed) if type(v) is cells.CellError]
    bad = {v for v, result in known.items() if type(result) is cells.CellError}
    return [known[v] for v in values], [i for i, v in enumerate(values) if v in bad] if bad else []


def _parse_rows(table: Table, headers: dict, errors: list[RowError], progress) -> list[dict]:
    """Cell-level checks (shape of each value), column by column; no database."""
    keys, parsed_columns, bad_rows = [], [], set()
    total = len(table.rows)
    for done, column in enumerate(c for c in table.columns if c.key):
        raw = [values[column.index] for _number, values in table.rows]
        parsed, bad = _parse_column(raw, PARSERS[column.key], column.key in REPEATING)
        parsed_columns.append(parsed)
        bad_rows.update(bad)
        keys.append(column.key)
        if progress and total:
            progress(total * (done + 1) // (len(headers) + 1), total)
    required = [k for k in ("head_name", "cadre_name") if k in headers]
    parsed = []
    rows = zip(table.rows, zip(*parsed_columns, strict=True), strict=True)
    for i, ((number, _values), values) in enumerate(rows):
        row = dict(zip(keys, values, strict=True))
        row["_row"] = number
        missing = [k for k in required if row[k] == ""]
        row["_bad"] = i in bad_rows or bool(missing)
        parsed.append(row)  # a bad row is checked on (area, cadre) too: every error in one pass
        if not row["_bad"]:
            continue
        for key, value in row.items():
            if type(value) is cells.CellError:
                errors.append(RowError(number, headers[key], value.code, value.message))
                row[key] = None  # unusable for the later checks (and storable)
        for key in missing:
            errors.append(RowError(number, headers[key], "missing", _("This value is required.")))
    return parsed


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _load_existing(plan: RosterPlan, parsed: list[dict]) -> None:
    fields = (
        "id",
        "id_number_hash",
        "head_name",
        "phone_encrypted",
        "phone_masked",
        "phone_last4",
        "members",
        "categories",
        "party_member",
        "area_id",
        "area_path",
    )
    hashes = {r["_hash"] for r in parsed if r["_hash"]}
    for h in _matching(Household, "id_number_hash", hashes, fields):
        plan.households[h["id_number_hash"]] = h
    fields = ("id", "phone", "name", "unit", "post", "area_path")
    phones = {r["cadre_phone"] for r in parsed if r["cadre_phone"]}
    for c in _matching(Cadre, "phone", phones, fields):
        plan.cadres[c["phone"]] = c
    household_ids = [h["id"] for h in plan.households.values()]
    fields = ("id", "cadre_id", "household_id", "kind", "start_date")
    for p in _matching(Pairing, "household_id", household_ids, fields, open_only=True):
        plan.pairings[(p["cadre_id"], p["household_id"])] = (p["id"], p["kind"], p["start_date"])


def _matching(model, column: str, keys, fields, open_only: bool = False):
    """Rows of ``model`` whose ``column`` is among ``keys``, as dicts of ``fields``.

    On PostgreSQL one array parameter per 50,000 keys; Django's ``__in``
    spends more time preparing 100,000 parameters than the database spends answering.
    """
    keys = list(keys)
    if connection.vendor != "postgresql":
        queryset = model.objects.order_by()
        if open_only:
            queryset = queryset.filter(end_date__isnull=True)
        for chunk in _chunks(keys):
            yield from queryset.filter(**{f"{column}__in": chunk}).values(*fields)
        return
    # A join to the unnested keys, not ``= ANY(...)``: without fresh statistics PostgreSQL
    # may probe the (cadre, household) partial index once per key (34 s for 50k keys).
    where = " WHERE t.end_date IS NULL" if open_only else ""
    array = "bigint[]" if column.endswith("_id") else "text[]"
    sql = (
        f"SELECT {', '.join('t.' + f for f in fields)} FROM {model._meta.db_table} t "
        f"JOIN unnest(%s::{array}) AS k(key) ON t.{column} = k.key{where}"
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(keys, 50000):
            cursor.execute(sql, [chunk])
            for values in cursor.fetchall():
                yield dict(zip(fields, values, strict=True))


HOUSEHOLD_FIELDS = ("head_name", "phone", "members", "categories", "party_member")
CADRE_FIELDS = ("cadre_name", "cadre_unit", "cadre_post")


def _classify(plan: RosterPlan, parsed: list[dict], headers: dict, areas: AreaIndex) -> None:
    """Check every row against the tree, the database and the rows before it.

    Every problem of a row is reported, not only the first: a row with a bad ID number is
    still checked for its village and its cadre, so one pass over the file lists all there
    is to fix. Only rows without any problem are planned.
    """
    report = plan.report
    first_of_id: dict[str, dict] = {}
    first_of_pair: dict[tuple[str, str], int] = {}
    first_of_cadre: dict[str, dict] = {}
    household_keys = [k for k in HOUSEHOLD_FIELDS if k in headers]
    cadre_keys = [k for k in CADRE_FIELDS if k in headers]
    area_keys = [k for k in (*AREA_KEYS, "division_code") if k in headers]
    for row in parsed:
        problems = []  # (column header, code, message)

        def fail(key, code, message, problems=problems):
            problems.append((headers.get(key, ROSTER_HEADERS.get(key, key)), code, message))

        place = None
        if all(row.get(k) is not None for k in area_keys):
            place, problem = areas.resolve(row, headers)
            if problem:
                problems.append(problem)
        id_hash, phone = row["_hash"], row["cadre_phone"]
        given = {k: row[k] for k in household_keys}
        earlier = first_of_id.get(id_hash) if id_hash else None
        existing = plan.households.get(id_hash) if id_hash else None
        if earlier is not None and (phone, id_hash) in first_of_pair:
            fail(
                "id_number",
                "duplicate_row",
                _("This pairing repeats row %(row)d.") % {"row": first_of_pair[(phone, id_hash)]},
            )
        elif earlier is not None:
            differs = next((k for k in given if earlier["given"].get(k) != given[k]), None)
            if differs or (place is not None and earlier["place"] != place):
                fail(
                    differs or "village",
                    "conflicting_row",
                    _("This household is also in row %(row)d with different details.")
                    % {"row": earlier["row"]},
                )
        if existing is not None and not areas.in_scope(existing["area_path"]):
            fail(
                "id_number",
                "out_of_scope",
                _(
                    "This ID number is already registered in another area; "
                    "ask the county administrator to transfer the household."
                ),
            )
        cadre_given = {k: row[k] for k in cadre_keys}
        cadre_earlier = first_of_cadre.get(phone) if phone else None
        cadre = plan.cadres.get(phone) if phone else None
        cadre_name = row["cadre_name"]
        if cadre_earlier is not None and cadre_name and cadre_earlier["cadre_name"] != cadre_name:
            fail(
                "cadre_phone",
                "conflicting_row",
                _("Row %(row)d gives this phone number to %(name)s.")
                % {"row": cadre_earlier["_row"], "name": cadre_earlier["cadre_name"]},
            )
        if cadre is not None and not areas.in_scope(cadre["area_path"]):
            # The form and the API refuse to pair a cadre the user cannot see; so does the
            # roster. Say nothing of who the cadre is (no existence oracle beyond "taken").
            fail(
                "cadre_phone",
                "out_of_scope",
                _(
                    "This mobile number is already registered to a cadre outside your area; "
                    "ask the administrator."
                ),
            )
        elif cadre is not None and cadre_name and cells.name(cadre["name"]) != cadre_name:
            fail(
                "cadre_phone",
                "phone_taken",
                _("This mobile number belongs to cadre %(name)s.") % {"name": cadre["name"]},
            )
        if problems or row.get("_bad"):
            report.errors.extend(RowError(row["_row"], *problem) for problem in problems)
            plan.error_numbers.add(row["_row"])
            continue
        planned = PlannedRow(
            row["_row"],
            place,
            id_hash,
            row["id_number"],
            given,
            phone,
            cadre_given,
            row.get("kind", "territorial"),
            row.get("start_date"),
        )
        if earlier is None:
            first_of_id[id_hash] = {"row": row["_row"], "given": given, "place": place}
            if existing is None or _household_changed(existing, given, place):
                plan.household_changes[id_hash] = planned
        if cadre_earlier is None:
            first_of_cadre[phone] = row
            if cadre is None or _cadre_changed(cadre, row):
                plan.cadre_changes[phone] = planned
            if cadre is None:
                plan.cadre_homes[phone] = areas.cadre_home(place, row.get("cadre_unit", ""))
        first_of_pair[(phone, id_hash)] = row["_row"]
        planned.status = _row_status(plan, planned, existing, cadre)
        setattr(report, planned.status, getattr(report, planned.status) + 1)
        plan.rows.append(planned)
    _count_tables(plan)


def _household_changed(existing: dict, given: dict, place: tuple) -> bool:
    if existing["area_id"] != place[0]:
        return True
    for key, value in given.items():
        if key == "phone":
            if crypto.decrypt(existing["phone_encrypted"]) != value:
                return True
        elif key == "categories":
            if existing["categories"] != category_mask(value):
                return True
        elif existing[key] != value:
            return True
    return False


def _cadre_changed(cadre: dict, row: dict) -> bool:
    return any(
        k in row and row[k] != cadre[k.removeprefix("cadre_")] for k in ("cadre_unit", "cadre_post")
    )


def _row_status(plan: RosterPlan, planned: PlannedRow, existing, cadre) -> str:
    if existing is None or cadre is None:
        return "new"
    pairing = plan.pairings.get((cadre["id"], existing["id"]))
    if pairing is None:
        return "new"
    _pk, kind, start = pairing
    if kind != planned.kind or (planned.start_date and planned.start_date != start):
        return "updated"
    if planned.id_hash in plan.household_changes or planned.cadre_phone in plan.cadre_changes:
        return "updated"
    return "unchanged"


def _count_tables(plan: RosterPlan) -> None:
    report = plan.report
    for id_hash in plan.household_changes:
        if id_hash in plan.households:
            report.households_updated += 1
        else:
            report.households_new += 1
    for phone in plan.cadre_changes:
        if phone in plan.cadres:
            report.cadres_updated += 1
        else:
            report.cadres_new += 1
    for row in plan.rows:
        existing, cadre = plan.households.get(row.id_hash), plan.cadres.get(row.cadre_phone)
        pairing = plan.pairings.get((cadre["id"], existing["id"])) if existing and cadre else None
        if pairing is None:
            report.pairings_new += 1
        elif pairing[1] != row.kind or (row.start_date and row.start_date != pairing[2]):
            report.pairings_updated += 1
