"""A township clerk imports a pairing roster from Excel: an error, a fix, a progress bar, done."""

from playwright.sync_api import expect

from liaison.models import Household, ImportJob, ImportStatus, Pairing
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.liaison.factories import id_number
from tests.liaison.test_import_pages import roster_row, xlsx

ROWS = 300
BAD = 41  # index of the row with a mistyped ID number; Excel row = index + 3 (title, header)


def roster(bad_row: int | None):
    rows = []
    for i in range(ROWS):
        ident = id_number(sequence=i + 1)
        if i == bad_row:
            ident = ident[:17] + ("0" if ident[17] != "0" else "1")
        rows.append(
            roster_row(
                name=f"户主{i:03d}",
                ident=ident,
                cadre=f"干部{i % 10}",
                cadre_phone=f"1390000{i % 10:04d}",
                **{"联系电话": f"137{i:08d}"},
            )
        )
    return xlsx(rows)


def test_clerk_uploads_sees_the_error_fixes_it_and_imports_with_a_progress_bar(
    page, live_server, areas, clerk_a, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    broken, fixed = tmp_path / "思茅镇花名册.xlsx", tmp_path / "思茅镇花名册（改）.xlsx"
    broken.write_bytes(roster(BAD))
    fixed.write_bytes(roster(None))

    log_in(page, live_server, "clerk_a", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Excel导入").click()
    expect(page.locator("h1")).to_have_text("Excel导入")
    page.set_input_files("#id_file", str(broken))
    page.get_by_role("button", name="上传并检查").click()

    # The check runs with a progress bar, then the page shows what it found.
    expect(page.get_by_test_id("count-errors")).to_have_text("1", timeout=30_000)
    expect(page.get_by_test_id("count-new")).to_have_text(str(ROWS - 1))
    error = page.get_by_test_id("import-errors").locator("tr.error-row").first
    expect(error.locator("td").nth(0)).to_have_text(str(BAD + 3))
    expect(error.locator("td").nth(1)).to_have_text("公民身份号码")
    expect(error.locator("td").nth(2)).to_contain_text("校验码")
    expect(page.get_by_test_id("confirm-import")).to_be_disabled()
    expect(page.get_by_test_id("error-report")).to_be_visible()
    assert Household.objects.count() == 0

    # The clerk corrects the ID number and uploads the file again.
    page.get_by_role("link", name="上传更正后的文件").click()
    page.set_input_files("#id_file", str(fixed))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_test_id("count-errors")).to_have_text("0", timeout=30_000)
    expect(page.get_by_test_id("count-new")).to_have_text(str(ROWS))
    expect(page.get_by_test_id("import-errors")).to_have_count(0)

    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    expect(page.get_by_test_id("job-status")).to_have_text("已导入", timeout=30_000)
    expect(page.get_by_test_id("count-new")).to_have_text(str(ROWS))

    assert Household.objects.filter(area__name="甲村").count() == ROWS
    assert Pairing.objects.count() == ROWS
    assert ImportJob.objects.filter(status=ImportStatus.DONE).count() == 1

    page.get_by_role("navigation").get_by_role("link", name="Excel导入").click()
    history = page.get_by_test_id("import-history")
    expect(history.locator("tr", has_text="思茅镇花名册（改）.xlsx")).to_contain_text("已导入")
    expect(history.locator("tr", has_text="思茅镇花名册.xlsx")).to_contain_text("已检查")
