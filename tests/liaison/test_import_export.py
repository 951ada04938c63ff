"""Roster exports: same headers (re-import unchanged), formula escaping, masking by permission."""

import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission

from foundation.models import AuditEvent
from liaison import services
from liaison.importing import export_roster, plan_roster, safe_cell
from tests.liaison.roster_files import HEADERS, csv_bytes, roster_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def grant_full_pii(user):
    user.user_permissions.add(Permission.objects.get(codename="view_full_pii"))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def imported(user, rows, name="a.xlsx"):
    data = csv_bytes(rows) if name.endswith(".csv") else xlsx_bytes(rows)
    services.import_roster(actor=user, plan=plan_roster(data, file_name=name, user=user))


@pytest.mark.parametrize(
    "value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']
)
def test_cells_that_start_like_formulas_are_prefixed(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("王大") == "王大"


def test_export_escapes_hostile_names_and_writes_strings(areas, clerk_a):
    # Text typed into a CSV is imported as text, whatever it starts with.
    imported(
        clerk_a,
        [roster_row(**{"户主姓名": '=HYPERLINK("http://evil")', "干部单位": "@cmd"})],
        name="a.csv",
    )
    data, full = export_roster(user=clerk_a)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type == "s" for c in cells if c.value is not None)
    values = [c.value for c in cells]
    assert '\'=HYPERLINK("http://evil")' in values and "'@cmd" in values


def test_export_for_a_user_without_permission_is_masked_and_not_recorded(areas, clerk_a):
    imported(clerk_a, [roster_row(**{"联系电话": "13800138000"})])
    data, full = export_roster(user=clerk_a)
    assert full is False
    text = " ".join(
        str(c)
        for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
        for c in row
    )
    assert (
        re.findall(r"\d{17}[\dX]", text) == [] and re.findall(r"(?<!\d)1\d{10}(?!\d)", text) == []
    )
    assert not AuditEvent.objects.filter(action="export.full_pii").exists()


def test_a_masked_export_cannot_be_reimported_and_the_report_says_why(areas, clerk_a):
    imported(clerk_a, [roster_row()])
    data, _full = export_roster(user=clerk_a)
    report = plan_roster(data, file_name="export.xlsx", user=clerk_a).report
    assert {e.code for e in report.errors} == {"masked_id_number", "masked_phone"}


def test_full_export_with_permission_is_recorded_and_reimports_unchanged(areas, clerk_a):
    imported(
        clerk_a,
        [
            roster_row(),
            roster_row(
                **{
                    "户主姓名": "李四",
                    "干部电话": "13900000002",
                    "结对干部": "赵敏",
                    "户类别": "五保户、军属",
                }
            ),
        ],
    )
    clerk = grant_full_pii(clerk_a)
    data, full = export_roster(user=clerk)
    assert full is True
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == HEADERS
    event = AuditEvent.objects.get(action="export.full_pii")
    assert event.actor == clerk and event.data == {"what": "roster", "rows": 2}
    report = plan_roster(data, file_name="export.xlsx", user=clerk).report
    assert (report.errors, report.new, report.updated, report.unchanged) == ([], 0, 0, 2)


def test_export_holds_only_the_users_area(areas, clerk_a, clerk_b_sibling):
    imported(clerk_a, [roster_row()])
    data, _full = export_roster(user=clerk_b_sibling)
    assert openpyxl.load_workbook(io.BytesIO(data)).active.max_row == 1
