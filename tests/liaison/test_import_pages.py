"""The clerk's Excel import pages: upload, preview, confirm, history, template, error report."""

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from liaison.importing.plan import ROSTER_COLUMNS
from liaison.importing.template import TEMPLATE_HEADERS
from liaison.models import Household, ImportJob, ImportStatus, Pairing
from tests.liaison.factories import id_number, phone

pytestmark = pytest.mark.django_db

HEADERS = [header for key, header, _aliases in ROSTER_COLUMNS if key != "division_code"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def roster_row(
    *,
    name="王大明",
    village="甲村",
    township="思茅镇",
    ident=None,
    cadre="刘强",
    cadre_phone="13900000001",
    **extra,
):
    row = {
        "县(区)": "思茅区",
        "乡(镇/街道)": township,
        "村(社区)": village,
        "村民小组": "",
        "户主姓名": name,
        "公民身份号码": ident or id_number(),
        "联系电话": phone(),
        "家庭人口": "3",
        "户类别": "低保户",
        "是否党员": "否",
        "结对干部": cadre,
        "干部单位": "思茅镇人民政府",
        "干部职务": "副镇长",
        "干部电话": cadre_phone,
        "结对方式": "属地结对",
        "结对日期": "2024-03-01",
    }
    row.update(extra)
    return row


def xlsx(rows, headers=HEADERS) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(["思茅镇结对花名册"])  # a title row above the header, as real files have
    sheet.append(headers)
    for row in rows:
        cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=row.get(header, ""))
            cell.data_type = "s"  # typed as text, as a careful clerk does
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name="花名册.xlsx", sheet=""):
    return client.post(
        reverse("import_list"), {"sheet": sheet, "file": SimpleUploadedFile(name, data)}
    )


def upload_and_check(client, data, name="花名册.xlsx") -> ImportJob:
    response = upload(client, data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("id")
    assert response.url == reverse("import_detail", args=[job.pk])
    client.post(reverse("import_preview", args=[job.pk]))  # the page's script does this
    job.refresh_from_db()
    return job


def bad_id() -> str:
    good = id_number()
    return good[:17] + ("0" if good[17] != "0" else "1")


def test_upload_is_kept_under_a_generated_name_and_the_page_starts_the_check(
    client, clerk_a, media
):
    client.force_login(clerk_a)
    response = upload(client, xlsx([roster_row()]), name="../../思茅镇 花名册.xlsx")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportStatus.UPLOADED
    assert job.user == clerk_a and job.file_name == "思茅镇 花名册.xlsx"
    stored = Path(media) / job.stored_path
    assert stored.exists() and "花名册" not in stored.name and stored.suffix == ".xlsx"
    page = client.get(response.url).content.decode()
    assert 'data-testid="import-progress"' in page and "<progress" in page
    assert reverse("import_preview", args=[job.pk]) in page  # the script's start URL


def test_preview_counts_rows_and_lists_each_error_with_row_column_and_chinese_reason(
    client, clerk_a
):
    client.force_login(clerk_a)
    rows = [
        roster_row(name="王大明"),
        roster_row(name="李小红", ident=bad_id()),
        roster_row(name="赵外镇", village="乙村", township="南屏镇"),
    ]
    job = upload_and_check(client, xlsx(rows))
    assert job.status == ImportStatus.PREVIEWED
    assert job.counts["new"] == 1 and job.counts["error_rows"] == 2
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="count-new">1<' in page and 'data-testid="count-errors">2<' in page
    assert (
        '<tr class="error-row"><td class="num">4</td><td>公民身份号码</td><td>身份号码校验码错误'
        in page
    )
    assert '<td class="num">5</td><td>村(社区)</td><td>该区域不在您的责任范围内' in page
    assert reverse("import_error_report", args=[job.pk]) in page
    assert 'data-testid="confirm-import" disabled' in page
    assert Household.objects.count() == 0  # a preview writes nothing


def test_confirm_with_errors_is_refused_and_writes_nothing(client, clerk_a):
    client.force_login(clerk_a)
    job = upload_and_check(client, xlsx([roster_row(), roster_row(name="李小红", ident=bad_id())]))
    response = client.post(reverse("import_confirm", args=[job.pk]), follow=True)
    assert "有错误" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED
    assert Household.objects.count() == 0 and Pairing.objects.count() == 0
    fetched = client.post(reverse("import_confirm", args=[job.pk]), HTTP_X_REQUESTED_WITH="fetch")
    assert fetched.status_code == 409 and fetched.json()["ok"] is False


def test_confirm_valid_rows_only_imports_just_the_good_rows(client, clerk_a):
    client.force_login(clerk_a)
    job = upload_and_check(
        client, xlsx([roster_row(name="王大明"), roster_row(name="李小红", ident=bad_id())])
    )
    client.post(reverse("import_confirm", args=[job.pk]), {"valid_rows_only": "1"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.valid_rows_only
    assert list(Household.objects.values_list("head_name", flat=True)) == ["王大明"]


@time_machine.travel(datetime(2026, 11, 28, 20, 0, tzinfo=UTC), tick=True)
def test_a_clean_file_imports_and_the_history_shows_who_when_file_hash_and_counts(client, clerk_a):
    """At 20:00 UTC it is already tomorrow in Shanghai: the page shows the local date."""
    client.force_login(clerk_a)
    job = upload_and_check(
        client, xlsx([roster_row(name="王大明"), roster_row(name="李小红")]), name="甲村花名册.xlsx"
    )
    assert job.counts["error_rows"] == 0
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="confirm-import">' in page  # enabled
    response = client.post(reverse("import_confirm", args=[job.pk]), HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200 and response.json()["ok"] is True
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.finished_at is not None
    assert Household.objects.count() == 2 and Pairing.objects.count() == 2
    outcome = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "已导入" in outcome and 'data-testid="count-new">2<' in outcome
    history = client.get(reverse("import_list")).content.decode()
    assert "甲村花名册.xlsx" in history and job.sha256[:12] in history and "张丽" in history
    assert timezone.localtime(job.created_at).strftime("%Y-%m-%d") == "2026-11-29"
    assert "2026-11-29" in history
    progress = client.get(reverse("import_progress", args=[job.pk])).json()
    assert progress["status"] == "done" and progress["percent"] == 100


def test_reimporting_the_same_file_changes_nothing(client, clerk_a):
    client.force_login(clerk_a)
    data = xlsx([roster_row(name="王大明")])
    first = upload_and_check(client, data)
    client.post(reverse("import_confirm", args=[first.pk]))
    second = upload_and_check(client, data)
    assert second.counts["unchanged"] == 1 and second.counts["new"] == 0


def test_sibling_township_clerk_gets_404_on_another_townships_import(
    client, clerk_a, clerk_b_sibling
):
    client.force_login(clerk_a)
    job = upload_and_check(client, xlsx([roster_row(), roster_row(name="李小红", ident=bad_id())]))
    client.force_login(clerk_b_sibling)
    for name in ("import_detail", "import_progress", "import_error_report"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    for name in ("import_preview", "import_confirm"):
        assert (
            client.post(reverse(name, args=[job.pk]), {"valid_rows_only": "1"}).status_code == 404
        )
    assert "花名册.xlsx" not in client.get(reverse("import_list")).content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED


def test_only_clerks_and_administrators_have_the_import_page(client, clerk_a, county_leader):
    client.force_login(clerk_a)
    assert "Excel导入" in client.get(reverse("home")).content.decode()
    client.force_login(county_leader)
    assert client.get(reverse("import_list")).status_code == 404
    assert "Excel导入" not in client.get(reverse("home")).content.decode()


def test_template_has_the_headers_an_example_text_columns_and_drop_down_lists(client, clerk_a):
    client.force_login(clerk_a)
    response = client.get(reverse("import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == TEMPLATE_HEADERS
    assert (
        headers[:4] == ["县(区)", "乡(镇/街道)", "村(社区)", "村民小组"]
        and headers[-1] == "结对日期"
    )
    example = dict(zip(headers, [c.value for c in sheet[2]], strict=True))
    assert example["乡(镇/街道)"] == "思茅镇" and example["村(社区)"] == "甲村"  # the clerk's own
    assert len(example["公民身份号码"]) == 18
    column = {h: c.column_letter for h, c in zip(headers, sheet[1], strict=True)}
    assert sheet[f"{column['公民身份号码']}3"].number_format == "@"
    assert sheet[f"{column['干部电话']}3"].number_format == "@"
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert "五保户" in lists[f"{column['户类别']}2"] and "低保户" in lists[f"{column['户类别']}2"]
    assert (
        "属地结对" in lists[f"{column['结对方式']}2"]
        and "亲戚结对" in lists[f"{column['结对方式']}2"]
    )
    assert lists[f"{column['是否党员']}2"] == '"是,否"'


def test_the_template_example_row_passes_the_check(client, clerk_a):
    client.force_login(clerk_a)
    job = upload_and_check(client, client.get(reverse("import_template")).content, name="模板.xlsx")
    assert job.status == ImportStatus.PREVIEWED, job.outcome
    assert job.counts["error_rows"] == 0 and job.counts["new"] == 1


def test_error_report_has_the_rows_an_error_column_and_escapes_formulas(client, clerk_a):
    client.force_login(clerk_a)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*HEADERS, "备注"])
    good, bad = roster_row(name="王大明"), roster_row(name="李小红", ident=bad_id())
    writer.writerow([good[h] for h in HEADERS] + ['=HYPERLINK("http://x","y")'])
    writer.writerow([bad[h] for h in HEADERS] + ["@SUM(1)"])
    writer.writerow(
        [roster_row(name="赵三")[h] for h in HEADERS]
        + [
            "+1",
        ]
    )
    job = upload_and_check(client, out.getvalue().encode("utf-8-sig"), name="花名册.csv")
    assert job.counts["error_rows"] == 1
    response = client.get(reverse("import_error_report", args=[job.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][-1] == "错误原因" and rows[0][:-1] == [*HEADERS, "备注"]
    assert len(rows) == 4
    assert rows[1][-1] in (None, "") and rows[2][-1].startswith("公民身份号码：身份号码校验码错误")
    assert rows[2][HEADERS.index("户主姓名")] == "李小红"
    assert rows[1][-2] == '\'=HYPERLINK("http://x","y")' and rows[2][-2] == "'@SUM(1)"
    assert rows[3][-2] == "'+1"
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value)
    assert sheet.cell(row=3, column=1).fill.fgColor.rgb.endswith("FFC7CE")  # highlighted


def test_another_clerk_in_scope_needs_the_pii_permission_for_the_error_report(
    client, clerk_a, areas
):
    from responsibility_areas.models import Role
    from tests.conftest import _person

    client.force_login(clerk_a)
    job = upload_and_check(client, xlsx([roster_row(name="李小红", ident=bad_id())]))
    colleague = _person("clerk_a2", areas["ta"], Role.CLERK)
    client.force_login(colleague)
    assert client.get(reverse("import_detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("import_error_report", args=[job.pk])).status_code == 404


def test_an_oversize_file_is_refused_with_a_clear_message(client, clerk_a, settings):
    settings.LIAISON_IMPORT_MAX_BYTES = 4096
    client.force_login(clerk_a)
    response = upload(client, b"x" * 100_000, name="big.csv")
    page = response.content.decode()
    assert response.status_code == 200
    assert "文件超过 4 KB" in page
    assert ImportJob.objects.count() == 0


def test_a_macro_workbook_is_refused_before_anything_is_stored(client, clerk_a, media):
    client.force_login(clerk_a)
    page = upload(client, b"PK\x03\x04whatever", name="花名册.xlsm").content.decode()
    assert "宏" in page and ImportJob.objects.count() == 0
    assert not any(Path(media).rglob("*.xlsm"))


def test_an_unreadable_file_fails_with_the_reason(client, clerk_a):
    client.force_login(clerk_a)
    job = upload_and_check(client, "姓名,年龄\n张三,3\n".encode(), name="别的表.csv")
    assert job.status == ImportStatus.FAILED
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "表头" in page


def test_progress_is_polled_without_cookies_with_the_pages_signed_token(client, clerk_a):
    from django.test import Client

    from liaison.views.imports import progress_token

    client.force_login(clerk_a)
    job = upload_and_check(client, xlsx([roster_row()]))
    url = reverse("import_progress", args=[job.pk])
    anonymous = Client()
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(url, {"token": "forged"}).status_code == 404
    other_job = progress_token(ImportJob(pk=job.pk + 1), clerk_a)
    assert anonymous.get(url, {"token": other_job}).status_code == 404
    answer = anonymous.get(url, {"token": progress_token(job, clerk_a)})
    assert answer.status_code == 200 and "sessionid" not in answer.cookies
    assert answer.json()["status"] == "previewed" and answer.json()["total"] >= 1
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert f"{url}?token=" in page


def test_the_sheet_the_clerk_names_is_the_one_checked(client, clerk_a):
    book = Workbook()
    first = book.active
    first.title = "去年"
    first.append(HEADERS)
    first.append([roster_row(name="旧户主")[h] for h in HEADERS])
    second = book.create_sheet("今年")
    second.append(HEADERS)
    for name in ("新户主甲", "新户主乙"):
        second.append([roster_row(name=name)[h] for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    client.force_login(clerk_a)
    upload(client, out.getvalue(), sheet="今年")
    job = ImportJob.objects.get()
    client.post(reverse("import_preview", args=[job.pk]))
    job.refresh_from_db()
    assert job.sheet_name == "今年" and job.counts["total_rows"] == 2
    upload(client, out.getvalue(), sheet="前年")
    missing = ImportJob.objects.latest("id")
    client.post(reverse("import_preview", args=[missing.pk]))
    missing.refresh_from_db()
    assert missing.status == ImportStatus.FAILED and "前年" in missing.outcome


def test_an_administrator_above_sees_the_townships_imports(client, clerk_a, city_admin):
    client.force_login(clerk_a)
    job = upload_and_check(client, xlsx([roster_row()]), name="甲村.xlsx")
    client.force_login(city_admin)
    assert "甲村.xlsx" in client.get(reverse("import_list")).content.decode()
    assert client.get(reverse("import_detail", args=[job.pk])).status_code == 200
