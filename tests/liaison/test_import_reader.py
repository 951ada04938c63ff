"""Real-world spreadsheets: titles, signatures, merges, full-width text, numbers, dates, sheets.

.xls fixtures are written with xlwt (a test-only dependency); they go through the same
calamine path as .xlsx (``reader._excel_grids``).
"""

from datetime import date

import pytest

from liaison.importing import plan_roster
from liaison.importing.reader import ReadError
from liaison.importing.roster import read_roster
from tests.liaison.factories import id_number
from tests.liaison.roster_files import HEADERS, csv_bytes, roster_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def plan(data, user, name="花名册.xlsx", **kw):
    return plan_roster(data, file_name=name, user=user, **kw)


def messages(report):
    return [(e.row, e.column, e.code) for e in report.errors]


def test_header_found_below_title_and_notes_and_reading_stops_at_the_signature(areas):
    data = xlsx_bytes([roster_row(), {}, roster_row()], notes=("说明一", "说明二"))
    table = read_roster(data, file_name="a.xlsx")
    assert table.header_row == 4
    # Row 6 is blank and skipped; row numbers are Excel's; the signature line is not data.
    assert [n for n, _v in table.rows] == [5, 7]
    assert any("签" in n or "signature" in n or "9" in n for n in table.notices)


def test_rows_are_numbered_as_in_excel_in_errors(areas, clerk_a):
    data = xlsx_bytes([roster_row(), roster_row(**{"公民身份号码": "123"})])
    report = plan(data, clerk_a).report
    assert messages(report) == [(5, "公民身份号码", "bad_id_number")]


def test_merged_area_cells_are_carried_down(areas, clerk_a):
    rows = [roster_row(**{"干部电话": f"1390000000{i}", "结对干部": f"干部{i}"}) for i in range(3)]
    for row in rows[1:]:
        row.update({"县(区)": None, "乡(镇/街道)": None, "村(社区)": None})
    data = xlsx_bytes(rows, merges=("A4:A6", "B4:B6", "C4:C6"))
    report = plan(data, clerk_a).report
    assert report.errors == [] and report.new == 3


def test_blank_area_without_a_merge_is_an_error_not_a_guess(areas, clerk_a):
    data = xlsx_bytes(
        [roster_row(), roster_row(**{"县(区)": None, "干部电话": "13900000009", "结对干部": "赵"})]
    )
    assert messages(plan(data, clerk_a).report) == [(5, "县(区)", "missing")]


def test_full_width_characters_and_stray_spaces_in_headers_and_values(areas, clerk_a):
    number = id_number()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number)  # full-width digits
    headers = [
        f" {h} " if i % 2 else h.replace("(", "（").replace(")", "）")
        for i, h in enumerate(HEADERS)
    ]
    headers[4] = "户 主 姓 名"
    row = roster_row(
        **{
            "公民身份号码": f" {wide} ",
            "户主姓名": " 王 大 ",
            "联系电话": "１３８ ００１３ ８０００",
            "村(社区)": " 甲村 ",
            "结对方式": " 属地结对 ",
        }
    )
    data = xlsx_bytes([[row[h] for h in HEADERS]], headers=headers)
    report = plan(data, clerk_a).report
    assert report.errors == [] and report.new == 1


def test_id_number_stored_as_a_number_is_an_error_that_says_so(areas, clerk_a):
    data = xlsx_bytes([roster_row(**{"公民身份号码": 530802195803171234})])
    report = plan(data, clerk_a).report
    assert messages(report) == [(4, "公民身份号码", "id_number_as_number")]
    assert "15" in report.errors[0].message


def test_id_number_in_scientific_notation_text_is_an_error(areas, clerk_a):
    data = csv_bytes([roster_row(**{"公民身份号码": "5.30802E+17"})])
    report = plan(data, clerk_a, name="a.csv").report
    assert messages(report) == [(3, "公民身份号码", "id_number_as_number")]


def test_lower_case_x_is_accepted(areas, clerk_a):
    number = next(n for n in (id_number() for _ in range(200)) if n.endswith("X"))
    report = plan(xlsx_bytes([roster_row(**{"公民身份号码": number.lower()})]), clerk_a).report
    assert report.errors == [] and report.new == 1


def test_phones_stored_as_floats(areas, clerk_a):
    data = xlsx_bytes([roster_row(**{"联系电话": 13800138000.0, "干部电话": 13900000001.0})])
    p = plan(data, clerk_a)
    assert p.report.errors == []
    assert p.rows[0].household["phone"] == "13800138000" and p.rows[0].cadre_phone == "13900000001"


@pytest.mark.parametrize(
    "value",
    [45352, 45352.0, date(2024, 3, 1), "2024-03-01", "2024/3/1", "2024年3月1日", "2024.3.1"],
)
def test_dates_in_every_form_people_write_them(areas, clerk_a, value):
    p = plan(xlsx_bytes([roster_row(**{"结对日期": value})]), clerk_a)
    assert p.report.errors == [] and p.rows[0].start_date == date(2024, 3, 1)


def test_first_sheet_with_a_matching_header_is_taken(areas, clerk_a):
    def cover_sheet(book):
        cover = book.create_sheet("说明", 0)
        cover.append(["本表用于结对联户"])
        cover.append(["请勿修改表头"])

    report = plan(xlsx_bytes([roster_row()], before=cover_sheet), clerk_a).report
    assert report.sheet == "花名册" and report.new == 1


def test_the_sheet_the_user_names_is_taken(areas, clerk_a):
    other = [HEADERS, [roster_row(**{"户主姓名": "二表"})[h] for h in HEADERS]]
    data = xlsx_bytes([roster_row()], sheets={"第二批": other})
    p = plan(data, clerk_a, sheet="第二批")
    assert p.report.sheet == "第二批" and p.rows[0].household["head_name"] == "二表"
    with pytest.raises(ReadError) as err:
        plan(data, clerk_a, sheet="没有")
    assert err.value.code == "no_sheet"


def test_a_file_without_a_recognisable_header_is_refused(areas, clerk_a):
    with pytest.raises(ReadError) as err:
        plan(xlsx_bytes([["a", "b"]], headers=["甲", "乙"]), clerk_a)
    assert err.value.code == "no_header"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk(areas, clerk_a, encoding):
    data = csv_bytes([roster_row(**{"户主姓名": "王大"})], encoding=encoding)
    p = plan(data, clerk_a, name="花名册.csv")
    assert p.report.errors == [] and p.rows[0].household["head_name"] == "王大"
    assert p.rows[0].number == 3


def test_english_headers_in_any_order_and_extra_columns_with_a_notice(areas, clerk_a):
    english = {
        "县(区)": "County",
        "乡(镇/街道)": "Township",
        "村(社区)": "Village",
        "户主姓名": "Head of household",
        "公民身份号码": "ID number",
        "结对干部": "Cadre",
        "干部电话": "Cadre phone",
    }
    row = roster_row()
    headers = ["备注", *reversed(list(english.values()))]
    values = ["随便写", *reversed([row[k] for k in english])]
    report = plan(xlsx_bytes([values], headers=headers), clerk_a).report
    assert report.errors == [] and report.new == 1
    assert any("备注" in n for n in report.notices)


def test_an_old_xls_workbook_with_merged_areas_and_numeric_phones_is_read(areas, clerk_a):
    from liaison.importing.safety import check_upload
    from tests.liaison.roster_files import xls_bytes

    rows = [
        roster_row(
            **{"结对干部": f"干部{i}", "干部电话": 13900000010.0 + i, "联系电话": 13800138000.0 + i}
        )
        for i in range(3)
    ]
    data = xls_bytes(rows, merge_area_rows=3)
    check_upload(data, "花名册.xls")  # an OLE workbook without macros passes the safety checks
    p = plan(data, clerk_a, name="花名册.xls")
    assert p.report.errors == [] and p.report.new == 3
    assert [r.household["phone"] for r in p.rows] == ["13800138000", "13800138001", "13800138002"]
    assert {r.cadre_phone for r in p.rows} == {"13900000010", "13900000011", "13900000012"}
