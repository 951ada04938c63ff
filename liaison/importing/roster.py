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

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db import connection
from django.utils.translation import gettext as _

from liaison.lib import crypto
from liaison.models import Cadre, Household, Pairing, Rank, category_mask
from responsibility_areas.models import Area, Level
from responsibility_areas.scoping import scope_paths

from . import cells
from .reader import Table, read_table

# (key, the header we write, other headers accepted). Order = column order of exports.
ROSTER_COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "county",
        "县(区)",
        ("县", "区", "县区", "区县", "县(市、区)", "县(市区)", "county", "district"),
    ),
    (
        "township",
        "乡(镇/街道)",
        ("乡镇", "乡(镇)", "镇", "乡", "乡镇(街道)", "街道", "乡镇街道", "township", "town"),
    ),
    (
        "village",
        "村(社区)",
        ("村", "社区", "村社区", "行政村", "村(居)委会", "村委会", "village", "community"),
    ),
    ("group", "村民小组", ("组", "小组", "村小组", "自然村", "村民组", "group", "villagegroup")),
    (
        "division_code",
        "区划代码",
        ("行政区划代码", "统计用区划代码", "村级区划代码", "divisioncode", "code"),
    ),
    ("head_name", "户主姓名", ("户主", "姓名", "户主名", "headofhousehold", "head", "name")),
    (
        "id_number",
        "公民身份号码",
        (
            "身份证号",
            "身份证号码",
            "身份证",
            "户主身份证号",
            "户主身份证号码",
            "idnumber",
            "idcard",
            "id",
        ),
    ),
    ("phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "户主电话", "phone", "mobile")),
    (
        "members",
        "家庭人口",
        ("家庭人口数", "人口", "人口数", "家庭成员数", "members", "householdsize"),
    ),
    ("categories", "户类别", ("户类型", "户别", "类别", "重点户类别", "categories", "category")),
    ("party_member", "是否党员", ("党员", "是否为党员", "partymember")),
    (
        "cadre_name",
        "结对干部",
        ("干部姓名", "联系干部", "结对干部姓名", "帮扶干部", "cadre", "cadrename"),
    ),
    ("cadre_unit", "干部单位", ("单位", "工作单位", "所在单位", "cadreunit", "unit")),
    ("cadre_post", "干部职务", ("职务", "cadrepost", "post", "position")),
    (
        "cadre_phone",
        "干部电话",
        ("干部手机", "干部联系电话", "干部手机号", "联系干部电话", "cadrephone", "cadremobile"),
    ),
    ("kind", "结对方式", ("结对类型", "联系方式类型", "结对形式", "pairingkind", "kind")),
    ("start_date", "结对日期", ("结对时间", "开始日期", "pairedon", "startdate", "date")),
]
ROSTER_HEADERS = {key: header for key, header, _aliases in ROSTER_COLUMNS}
ROSTER_ALIASES = {key: (header, *aliases) for key, header, aliases in ROSTER_COLUMNS}
REQUIRED = ("head_name", "id_number", "cadre_name", "cadre_phone")
AREA_KEYS = ("county", "township", "village", "group")
HOUSEHOLD_LEVELS = (Level.VILLAGE, Level.COMMUNITY, Level.GROUP)
CHUNK = 2000

Progress = Callable[[int, int], None]


@dataclass
class RowError:
    row: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class RosterReport:
    file_name: str = ""
    sheet: str = ""
    header_row: int = 0
    total_rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # What a confirm writes (or wrote): per table.
    households_new: int = 0
    households_updated: int = 0
    cadres_new: int = 0
    cadres_updated: int = 0
    pairings_new: int = 0
    pairings_updated: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict:
        keys = (
            "total_rows",
            "new",
            "updated",
            "unchanged",
            "error_rows",
            "households_new",
            "households_updated",
            "cadres_new",
            "cadres_updated",
            "pairings_new",
            "pairings_updated",
        )
        return {k: getattr(self, k) for k in keys}

    def as_dict(self) -> dict:
        return {
            **self.counts(),
            "file_name": self.file_name,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "written": self.written,
            "errors": [e.as_dict() for e in self.errors],
            "notices": list(self.notices),
        }


@dataclass(slots=True)
class PlannedRow:
    number: int
    area: tuple  # (id, path, county_id, township_id)
    id_hash: str
    id_number: str
    household: dict  # the fields given in the file
    cadre_phone: str
    cadre: dict
    kind: str
    start_date: date | None
    status: str = "unchanged"  # new / updated / unchanged


@dataclass
class RosterPlan:
    report: RosterReport
    rows: list[PlannedRow]  # the valid rows
    error_numbers: set[int]
    # Keyed once per import: what the database holds for the keys in the file.
    households: dict[str, dict]  # id hash -> existing household fields
    cadres: dict[str, dict]  # phone -> existing cadre fields
    pairings: dict[tuple[int, int], tuple[int, str, date]]  # (cadre, household) -> open pairing
    household_changes: dict[str, PlannedRow] = field(default_factory=dict)
    cadre_changes: dict[str, PlannedRow] = field(default_factory=dict)
    # phone -> (rank, place) for the cadres the file introduces
    cadre_homes: dict[str, tuple] = field(default_factory=dict)
    user: object = None
    checked: CheckedRows | None = None  # what the file said (kept by a preview for the confirm)


# --- Areas ------------------------------------------------------------------------------


class AreaIndex:
    """Every area once, as dictionaries: names on a path and division codes → area."""

    def __init__(self, user):
        self.scope = scope_paths(user) if user is not None else [""]
        self.by_path: dict[str, tuple] = {}
        self.children: dict[tuple[str, str], list[str]] = {}
        self.counties: dict[str, list[str]] = {}
        self.by_code: dict[str, str] = {}
        rows = Area.objects.order_by().values_list("id", "path", "name", "level", "division_code")
        steplen = Area.steplen
        for pk, path, area_name, level, code in rows.iterator(chunk_size=5000):
            key = cells.name(area_name)
            self.by_path[path] = (pk, key, level)
            self.children.setdefault((path[:-steplen], key), []).append(path)
            if level == Level.COUNTY:
                self.counties.setdefault(key, []).append(path)
            if code:
                self.by_code[code] = path
        self._memo: dict[tuple, tuple] = {}

    def in_scope(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.scope)

    def _pick(self, paths: list[str]) -> str | None:
        """One path among namesakes: the one in scope if exactly one is."""
        if len(paths) == 1:
            return paths[0]
        mine = [p for p in paths if self.in_scope(p)]
        return mine[0] if len(mine) == 1 else None

    def place(self, path: str) -> tuple:
        """(id, path, county id, township id) of the area at ``path``."""
        step = Area.steplen
        county = township = None
        for i in range(step, len(path) + 1, step):
            pk, _name, level = self.by_path[path[:i]]
            if level == Level.COUNTY:
                county = pk
            elif level in (Level.TOWNSHIP, Level.DEPARTMENT):
                township = pk
        return self.by_path[path][0], path, county, township

    def cadre_home(self, place: tuple, unit: str) -> tuple:
        """(rank, place) for a cadre the roster introduces (the file has no rank column)."""
        rank, level = new_cadre_level(unit)
        path = place[1]
        step = Area.steplen
        for i in range(len(path), 0, -step):
            if self.by_path[path[:i]][2] in LEVEL_GROUPS[level]:
                return rank, self.place(path[:i])
        return rank, place

    def resolve(self, names: dict, headers: dict, levels=HOUSEHOLD_LEVELS) -> tuple:
        """(place, None) or (None, RowError pieces (column, code, message)).

        ``levels``: the levels the area may have (a household's: village, community, group).
        """
        get = names.get  # runs for every row: one tuple of the five names, one look-up
        key = (get("county", ""), get("township", ""), get("village", ""), get("group", ""))
        key = (*key, get("division_code", ""), None if levels is HOUSEHOLD_LEVELS else levels)
        try:
            return self._memo[key]
        except KeyError:
            found = self._memo[key] = self._resolve(names, headers, levels)
            return found

    def _resolve(self, names, headers, levels_allowed):
        code = names.get("division_code", "")
        if code:
            path = self.by_code.get(code)
            if path is None:
                return None, (
                    headers["division_code"],
                    "unknown_area",
                    _("No area has the division code %(code)s.") % {"code": code},
                )
            levels = ("group",)
        else:
            if not names.get("county"):
                return None, (
                    headers.get("county", ROSTER_HEADERS["county"]),
                    "missing",
                    _("The county is missing."),
                )
            path = self._pick(self.counties.get(names["county"], []))
            if path is None:
                return None, self._unknown("county", names, headers)
            levels = ("township", "village", "group")
        for level in levels:
            wanted = names.get(level, "")
            if not wanted:
                continue
            path = self._pick(self.children.get((path, wanted), []))
            if path is None:
                return None, self._unknown(level, names, headers)
        if levels_allowed and self.by_path[path][2] not in levels_allowed:
            column = headers.get("village", ROSTER_HEADERS["village"])
            return None, (
                column,
                "missing",
                _(
                    "A household belongs to a village, community or village group: "
                    "the village is missing."
                ),
            )
        if not self.in_scope(path):
            return None, (
                headers.get("village") or headers.get("division_code", ""),
                "out_of_scope",
                _("This area is outside your responsibility."),
            )
        return self.place(path), None

    def _unknown(self, level, names, headers):
        column = headers.get(level, ROSTER_HEADERS[level])
        return (
            column,
            "unknown_area",
            _("No area named “%(name)s” at this place in the tree.") % {"name": names[level]},
        )


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


@dataclass
class CheckedRows:
    """What a file says, cell by cell checked: the part of a check that depends on the file only.

    A preview keeps it server side (``liaison.importing.keep``) so that the confirm step
    does not read and parse the file again; everything that depends on the database or on
    the user (areas and scope, existing households, cadres and pairings, duplicates
    against them) is checked again by :func:`plan_roster` at confirm.
    """

    file_name: str
    sheet: str
    header_row: int
    total_rows: int
    notices: list[str]
    headers: dict[str, str]  # key -> column header as written in the file
    errors: list[RowError]  # missing columns, or cell-level errors
    rows: list[dict]  # the rows whose cells are all good (key -> parsed value, "_row", "_hash")
    missing_columns: bool = False


def check_cells(
    source, *, file_name: str, sheet: str | None = None, progress: Progress | None = None
) -> CheckedRows:
    """Read the file and check the shape of every cell; no database. ``ReadError`` if unreadable."""
    table = (
        source
        if isinstance(source, Table)
        else read_roster(source, file_name=file_name, sheet=sheet)
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
        row["_hash"] = crypto.blind_index(row["id_number"])
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
        missing = [k for k in required if row[k] == ""]
        if i not in bad_rows and not missing:
            row["_row"] = number
            parsed.append(row)
            continue
        for key, value in row.items():
            if type(value) is cells.CellError:
                errors.append(RowError(number, headers[key], value.code, value.message))
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
    for h in _matching(Household, "id_number_hash", {r["_hash"] for r in parsed}, fields):
        plan.households[h["id_number_hash"]] = h
    fields = ("id", "phone", "name", "unit", "post", "area_path")
    for c in _matching(Cadre, "phone", {r["cadre_phone"] for r in parsed}, fields):
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
    report = plan.report
    first_of_id: dict[str, dict] = {}
    first_of_pair: dict[tuple[str, str], int] = {}
    first_of_cadre: dict[str, dict] = {}

    def fail(row, key, code, message):
        report.errors.append(
            RowError(row["_row"], headers.get(key, ROSTER_HEADERS[key]), code, message)
        )
        plan.error_numbers.add(row["_row"])

    household_keys = [k for k in HOUSEHOLD_FIELDS if k in headers]
    cadre_keys = [k for k in CADRE_FIELDS if k in headers]
    for row in parsed:
        place, problem = areas.resolve(row, headers)
        if problem:
            column, code, message = problem
            report.errors.append(RowError(row["_row"], column, code, message))
            plan.error_numbers.add(row["_row"])
            continue
        id_hash, phone = row["_hash"], row["cadre_phone"]
        given = {k: row[k] for k in household_keys}
        earlier = first_of_id.get(id_hash)
        if earlier is not None:
            if (phone, id_hash) in first_of_pair:
                fail(
                    row,
                    "id_number",
                    "duplicate_row",
                    _("This pairing repeats row %(row)d.")
                    % {"row": first_of_pair[(phone, id_hash)]},
                )
                continue
            differs = next((k for k in given if earlier["given"].get(k) != given[k]), None)
            if differs or earlier["place"] != place:
                fail(
                    row,
                    differs or "village",
                    "conflicting_row",
                    _("This household is also in row %(row)d with different details.")
                    % {"row": earlier["row"]},
                )
                continue
        existing = plan.households.get(id_hash)
        if existing is not None and not areas.in_scope(existing["area_path"]):
            fail(
                row,
                "id_number",
                "out_of_scope",
                _(
                    "This ID number is already registered in another area; "
                    "ask the county administrator to transfer the household."
                ),
            )
            continue
        cadre_given = {k: row[k] for k in cadre_keys}
        cadre_earlier = first_of_cadre.get(phone)
        if cadre_earlier is not None and cadre_earlier["cadre_name"] != row["cadre_name"]:
            fail(
                row,
                "cadre_phone",
                "conflicting_row",
                _("Row %(row)d gives this phone number to %(name)s.")
                % {"row": cadre_earlier["_row"], "name": cadre_earlier["cadre_name"]},
            )
            continue
        cadre = plan.cadres.get(phone)
        if cadre is not None and cells.name(cadre["name"]) != row["cadre_name"]:
            fail(
                row,
                "cadre_phone",
                "phone_taken",
                _("This mobile number belongs to cadre %(name)s.") % {"name": cadre["name"]},
            )
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
            if cadre is None or (areas.in_scope(cadre["area_path"]) and _cadre_changed(cadre, row)):
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


LEVEL_GROUPS = {
    "village": (Level.VILLAGE, Level.COMMUNITY),
    "township": (Level.TOWNSHIP, Level.DEPARTMENT),
    "county": (Level.COUNTY,),
}


def new_cadre_level(unit: str) -> tuple[str, str]:
    """Rank and home level for a cadre the roster introduces (the file has no rank column).

    A village committee's cadre lives in the village; a county body's in the county;
    everyone else in the township of the household's area.
    """
    if "村" in unit and ("委" in unit or unit.endswith("村")):
        return Rank.VILLAGE, "village"
    if any(w in unit for w in ("县", "区委", "区人民政府", "区政府")) and not any(
        w in unit for w in ("镇", "乡", "街道")
    ):
        return Rank.COUNTY, "county"
    return Rank.TOWNSHIP, "township"
