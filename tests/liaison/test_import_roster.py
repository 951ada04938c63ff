"""The roster import: preview counts and errors, all or nothing, idempotent re-import."""

import pytest

from liaison import services
from liaison.importing import plan_roster
from liaison.lib import crypto
from liaison.models import AuditEvent, Cadre, Household, Pairing
from tests.liaison.factories import id_number
from tests.liaison.roster_files import roster_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def plan(data, user, name="花名册.xlsx", **kw):
    return plan_roster(data, file_name=name, user=user, **kw)


def test_preview_counts_new_rows_and_writes_nothing(areas, clerk_a):
    data = xlsx_bytes([roster_row(), roster_row(**{"户主姓名": "李四", "干部电话": "13900000002",
                                                  "结对干部": "赵敏"})])
    report = plan(data, clerk_a).report
    assert (report.total_rows, report.new, report.updated, report.unchanged, report.error_rows) == (
        2, 2, 0, 0, 0)
    assert (report.households_new, report.cadres_new, report.pairings_new) == (2, 2, 2)
    assert report.header_row == 3 and report.sheet == "花名册"
    assert not Household.objects.exists() and not Cadre.objects.exists()


def test_import_writes_households_cadres_pairings_and_one_audit_record(areas, clerk_a):
    number = id_number()
    data = xlsx_bytes([roster_row(**{"公民身份号码": number, "联系电话": "13800138000"})])
    report = services.import_roster(actor=clerk_a, plan=plan(data, clerk_a), sha256="abc")
    assert report.written
    household = Household.objects.get()
    assert household.id_number_hash == crypto.blind_index(number)
    assert crypto.decrypt(household.phone_encrypted) == "13800138000"
    assert household.area == areas["ga"] and household.township_id == areas["ta"].pk
    assert household.members == 3 and household.category_list == ["subsistence", "disabled"]
    cadre = Cadre.objects.get()
    assert (cadre.name, cadre.phone, cadre.area, cadre.rank) == ("刘强", "13900000001", areas["ta"], "township")
    pairing = Pairing.objects.get()
    assert (pairing.kind, str(pairing.start_date), pairing.area_path) == (
        "territorial", "2024-03-01", areas["ga"].path)
    event = AuditEvent.objects.get(action="roster.imported")
    assert event.data["sha256"] == "abc" and event.data["new"] == 1
