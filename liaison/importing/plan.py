"""What a roster is and what checking one produces: its columns, the errors, the plan.

Shared by the reader (:mod:`.roster`), the area look-up (:mod:`.areas`), the kept
preview (:mod:`.keep`), exports, the template and the write (``services.imports``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from responsibility_areas.models import Level

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
