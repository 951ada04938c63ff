"""The roster import: preview counts and errors, all or nothing, idempotent re-import."""

import re

import pytest

from foundation import crypto
from foundation.models import AuditEvent
from liaison import services
from liaison.importing import plan_roster
from liaison.models import Cadre, Household, Pairing
from tests.liaison.factories import id_number
from tests.liaison.roster_files import roster_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def plan(data, user, name="花名册.xlsx", **kw):
    return plan_roster(data, file_name=name, user=user, **kw)


def test_preview_counts_new_rows_and_writes_nothing(areas, clerk_a):
    data = xlsx_bytes(
        [
            roster_row(),
            roster_row(**{"户主姓名": "李四", "干部电话": "13900000002", "结对干部": "赵敏"}),
        ]
    )
    report = plan(data, clerk_a).report
    assert (report.total_rows, report.new, report.updated, report.unchanged, report.error_rows) == (
        2,
        2,
        0,
        0,
        0,
    )
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
    assert (cadre.name, cadre.phone, cadre.area, cadre.rank) == (
        "刘强",
        "13900000001",
        areas["ta"],
        "township",
    )
    pairing = Pairing.objects.get()
    assert (pairing.kind, str(pairing.start_date), pairing.area_path) == (
        "territorial",
        "2024-03-01",
        areas["ga"].path,
    )
    event = AuditEvent.objects.get(action="roster.imported")
    assert event.data["sha256"] == "abc" and event.data["new"] == 1


def import_file(data, user, **kw):
    return services.import_roster(actor=user, plan=plan(data, user), **kw)


def test_reimporting_the_same_file_changes_nothing(areas, clerk_a):
    rows = [
        roster_row(),
        roster_row(**{"户主姓名": "李四", "干部电话": "13900000002", "结对干部": "赵敏"}),
    ]
    data = xlsx_bytes(rows)
    import_file(data, clerk_a)
    before = (
        list(Household.objects.values_list("updated_at", flat=True)),
        AuditEvent.objects.filter(action="roster.imported").count(),
    )
    again = plan(data, clerk_a).report
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    services.import_roster(actor=clerk_a, plan=plan(data, clerk_a))
    assert list(Household.objects.values_list("updated_at", flat=True)) == before[0]
    assert (Household.objects.count(), Cadre.objects.count(), Pairing.objects.count()) == (2, 2, 2)
    assert AuditEvent.objects.filter(action="roster.imported").count() == before[1]


def test_an_edited_file_updates_what_changed(areas, clerk_a):
    rows = [
        roster_row(),
        roster_row(**{"户主姓名": "李四", "干部电话": "13900000002", "结对干部": "赵敏"}),
    ]
    import_file(xlsx_bytes(rows), clerk_a)
    rows[0].update(
        {
            "联系电话": "13700137000",
            "家庭人口": 5,
            "户类别": "五保户",
            "结对方式": "亲戚结对",
            "村民小组": None,
        }
    )
    report = plan(xlsx_bytes(rows), clerk_a).report
    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    import_file(xlsx_bytes(rows), clerk_a)
    household = Household.objects.get(head_name="王大")
    assert crypto.decrypt(household.phone_encrypted) == "13700137000"
    assert (household.members, household.category_list, household.area) == (
        5,
        ["five_guarantee"],
        areas["va"],
    )
    pairing = Pairing.objects.get(household=household)
    assert (pairing.kind, pairing.area_path) == ("relatives", areas["va"].path)


def test_a_file_with_any_error_imports_nothing(areas, clerk_a):
    data = xlsx_bytes([roster_row(), roster_row(**{"公民身份号码": "530802195803171235"})])
    p = plan(data, clerk_a)
    assert p.report.error_rows == 1 and p.report.new == 1
    with pytest.raises(services.LiaisonError) as err:
        services.import_roster(actor=clerk_a, plan=p)
    assert err.value.code == "has_errors"
    assert (Household.objects.count(), Cadre.objects.count(), Pairing.objects.count()) == (0, 0, 0)
    assert not AuditEvent.objects.filter(action="roster.imported").exists()


def test_valid_rows_only_must_be_chosen_and_then_imports_the_good_rows(areas, clerk_a):
    data = xlsx_bytes([roster_row(), roster_row(**{"公民身份号码": "530802195803171235"})])
    report = services.import_roster(actor=clerk_a, plan=plan(data, clerk_a), valid_rows_only=True)
    assert report.written and Household.objects.count() == 1
    event = AuditEvent.objects.get(action="roster.imported")
    assert event.data["valid_rows_only"] is True and event.data["skipped_error_rows"] == 1


def test_a_failure_while_writing_leaves_nothing_behind(areas, clerk_a, monkeypatch):
    from liaison.services import imports

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_write_pairings", broken)
    with pytest.raises(RuntimeError):
        import_file(xlsx_bytes([roster_row()]), clerk_a)
    assert (Household.objects.count(), Cadre.objects.count(), Pairing.objects.count()) == (0, 0, 0)


def errors_of(rows, user, **kw):
    return [(e.row, e.column, e.code) for e in plan(xlsx_bytes(rows, **kw), user).report.errors]


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("公民身份号码", "530802195803171235", "bad_id_number"),
        ("公民身份号码", "", "bad_id_number"),
        ("公民身份号码", "530802********1234", "masked_id_number"),
        ("公民身份号码", "53080219580317123", "bad_id_number"),
        ("联系电话", "12345", "bad_phone"),
        ("联系电话", "138****8000", "masked_phone"),
        ("干部电话", "", "bad_phone"),
        ("家庭人口", "三口", "bad_number"),
        ("家庭人口", 0, "bad_number"),
        ("户类别", "低保户、富裕户", "bad_category"),
        ("是否党员", "也许", "bad_yes_no"),
        ("结对方式", "远程", "bad_kind"),
        ("结对日期", "去年春天", "bad_date"),
        ("户主姓名", "", "missing"),
        ("结对干部", "", "missing"),
        ("村(社区)", "无此村", "unknown_area"),
        ("乡(镇/街道)", "无此镇", "unknown_area"),
        ("县(区)", "无此县", "unknown_area"),
    ],
)
def test_every_cell_error_names_row_column_and_reason(areas, clerk_a, column, value, code):
    assert errors_of([roster_row(**{column: value})], clerk_a) == [(4, column, code)]


def test_rows_outside_the_users_scope_are_errors(areas, clerk_a):
    row = roster_row(**{"乡(镇/街道)": "南屏镇", "村(社区)": "乙村", "村民小组": None})
    assert errors_of([row], clerk_a) == [(4, "村(社区)", "out_of_scope")]


def test_a_household_registered_in_a_sibling_area_is_an_error(areas, clerk_a, clerk_b_sibling):
    number = id_number()
    row_b = roster_row(
        **{"乡(镇/街道)": "南屏镇", "村(社区)": "乙村", "村民小组": None, "公民身份号码": number}
    )
    import_file(xlsx_bytes([row_b]), clerk_b_sibling)
    # The same roster row also names the cadre the sibling's import registered: both said.
    assert errors_of([roster_row(**{"公民身份号码": number})], clerk_a) == [
        (4, "公民身份号码", "out_of_scope"),
        (4, "干部电话", "out_of_scope"),
    ]


def test_the_check_reports_every_error_of_every_row_in_one_pass(areas, clerk_a):
    """A bad ID number does not hide the unknown village of the same row (issue 13)."""
    rows = [
        roster_row(**{"公民身份号码": "123", "村(社区)": "无此村"}),
        roster_row(**{"联系电话": "12", "结对干部": None, "乡(镇/街道)": "无此镇"}),
        roster_row(),
    ]
    errors = errors_of(rows, clerk_a)
    assert (4, "公民身份号码", "bad_id_number") in errors
    assert (4, "村(社区)", "unknown_area") in errors
    assert (5, "乡(镇/街道)", "unknown_area") in errors
    assert (5, "结对干部", "missing") in errors
    assert {row for row, _column, _code in errors} == {4, 5}


def test_duplicates_and_conflicts_inside_the_file(areas, clerk_a):
    first = roster_row()
    same_pair = dict(first)
    other_name = dict(first, **{"户主姓名": "王二", "干部电话": "13900000002", "结对干部": "赵敏"})
    phone_reused = roster_row(**{"结对干部": "孙七"})
    assert errors_of([first, same_pair, other_name, phone_reused], clerk_a) == [
        (5, "公民身份号码", "duplicate_row"),
        (6, "户主姓名", "conflicting_row"),
        (7, "干部电话", "conflicting_row"),
    ]


def test_one_household_paired_with_two_cadres_is_fine(areas, clerk_a):
    first = roster_row()
    second = dict(first, **{"干部电话": "13900000002", "结对干部": "赵敏"})
    report = import_file(xlsx_bytes([first, second]), clerk_a)
    assert report.new == 2 and Household.objects.count() == 1 and Pairing.objects.count() == 2


def test_a_cadre_phone_that_belongs_to_someone_else(areas, clerk_a):
    from tests.liaison.factories import make_cadre

    cadre = make_cadre(areas["ta"], name="钱八")
    assert errors_of([roster_row(**{"干部电话": cadre.phone})], clerk_a) == [
        (4, "干部电话", "phone_taken")
    ]


def test_a_missing_required_column_is_reported(areas, clerk_a):
    from tests.liaison.roster_files import HEADERS

    headers = [h for h in HEADERS if h != "干部电话"]
    report = plan(xlsx_bytes([roster_row()], headers=headers), clerk_a).report
    assert [(e.column, e.code) for e in report.errors] == [("干部电话", "missing_column")]


def test_reasons_are_in_chinese_by_default_and_in_english_on_request(areas, clerk_a):
    from django.utils import translation

    data = xlsx_bytes([roster_row(**{"户主姓名": "", "村(社区)": "无此村"})])
    with translation.override("zh-hans"):
        chinese = [e.message for e in plan(data, clerk_a).report.errors]
    assert chinese and all(re.search(r"[\u4e00-\u9fff]", m) for m in chinese)
    with translation.override("en"):
        english = [e.message for e in plan(data, clerk_a).report.errors]
    assert english == [
        "This value is required.",
        "No area named “无此村” at this place in the tree.",
    ]
    data = xlsx_bytes([roster_row(**{"村(社区)": "无此村"})])
    with translation.override("en"):
        assert "No area named" in plan(data, clerk_a).report.errors[0].message


def test_existing_cadre_out_of_scope_is_an_error_that_names_no_one(areas, clerk_a):
    """The form and the API refuse to pair a cadre the user cannot see; so does the roster
    (issue 9 §2: a 南屏镇 clerk's roster paired a 思茅镇 cadre)."""
    from tests.liaison.factories import make_cadre

    for area, name in ((areas["tb"], "周九"), (areas["ca"], "吴十")):
        other = make_cadre(area, name=name)
        row = roster_row(**{"干部电话": other.phone, "结对干部": name, "干部单位": "别的单位"})
        report = plan(xlsx_bytes([row]), clerk_a).report
        assert [(e.column, e.code) for e in report.errors] == [("干部电话", "out_of_scope")]
        assert name not in report.errors[0].message and "管理员" in report.errors[0].message
        assert report.pairings_new == 0
    assert not Pairing.objects.exists()


def test_an_out_of_scope_cadre_under_another_name_is_not_named(areas, clerk_a):
    from tests.liaison.factories import make_cadre

    other = make_cadre(areas["tb"], name="周九")
    row = roster_row(**{"干部电话": other.phone, "结对干部": "别人"})
    messages = [e.message for e in plan(xlsx_bytes([row]), clerk_a).report.errors]
    assert len(messages) == 1 and "周九" not in messages[0]
