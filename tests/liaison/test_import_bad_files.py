"""Bad files end in a clear message, a failed job and nothing written (issue 10 §6)."""

import logging
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from liaison import services
from liaison.importing import ReadError, plan_roster
from liaison.importing.reader import decode_csv
from liaison.models import Household, ImportJob, ImportStatus
from liaison.tasks import run_import
from tests.liaison.roster_files import HEADERS, csv_bytes, roster_row, xlsx_bytes

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"[1-9]\d{16}[\dXx]")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_gbk_csv_with_a_utf8_bom_is_read_as_gbk():
    """Some tools glue a UTF-8 BOM onto a GBK file: a BOM is a hint, not proof."""
    data = b"\xef\xbb\xbf" + "户主姓名,村\n王大明,甲村\n".encode("gbk")
    assert decode_csv(data).splitlines()[1] == "王大明,甲村"


def test_gbk_with_bom_imports_through_the_task(clerk_a, areas):
    data = b"\xef\xbb\xbf" + csv_bytes([roster_row()], encoding="gbk")
    job = services.create_import_job(actor=clerk_a, data=data, file_name="花名册.csv")
    assert run_import(job.pk, confirm=False) == ImportStatus.PREVIEWED
    job.refresh_from_db()
    assert job.counts["new"] == 1 and job.counts["error_rows"] == 0


def test_bytes_that_are_no_text_are_a_clear_error_not_a_traceback():
    with pytest.raises(ReadError) as err:
        decode_csv(b"\xff\xfe\x00\x81\x82" * 20)
    assert err.value.code == "bad_encoding"


def test_a_roster_with_headers_only_says_it_holds_no_data_rows(clerk_a, areas):
    data = xlsx_bytes([])
    with pytest.raises(ReadError) as err:
        plan_roster(data, file_name="空表.xlsx", user=clerk_a)
    assert err.value.code == "no_rows" and "没有数据行" in err.value.message
    job = services.create_import_job(actor=clerk_a, data=data, file_name="空表.xlsx")
    assert run_import(job.pk, confirm=False) == ImportStatus.FAILED
    assert "没有数据行" in ImportJob.objects.get(pk=job.pk).outcome


def test_a_damaged_workbook_is_named_as_such(clerk_a, areas):
    good = xlsx_bytes([roster_row()])
    damaged = good[: len(good) // 2]  # a download cut short
    job = services.create_import_job(actor=clerk_a, data=good, file_name="花名册.xlsx")
    services.job_file_path(job).write_bytes(damaged)
    assert run_import(job.pk, confirm=False) == ImportStatus.FAILED
    outcome = ImportJob.objects.get(pk=job.pk).outcome
    assert "读取" in outcome and "内部错误" not in outcome
    assert not Household.objects.exists()


def test_an_unexpected_error_names_the_job_and_logs_no_cell(clerk_a, areas, monkeypatch, caplog):
    row = roster_row()
    job = services.create_import_job(actor=clerk_a, data=xlsx_bytes([row]), file_name="花名册.xlsx")
    run_import(job.pk, confirm=False)
    ident = row["公民身份号码"]

    def explode(*args, **kwargs):
        raise ValueError(f"cannot use {ident}")  # an error whose text quotes a cell

    monkeypatch.setattr(services, "import_roster", explode)
    with caplog.at_level(logging.INFO), pytest.raises(Exception) as err:
        run_import(job.pk, confirm=True)
    assert ident not in str(err.value) and ident not in repr(err.value)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and f"{job.pk}" in job.outcome
    assert "内部错误" not in job.outcome and not Household.objects.exists()
    assert not FULL_ID.search(caplog.text), caplog.text
    assert f"import job {job.pk} stopped by ValueError" in caplog.text


def test_the_command_reports_a_gbk_bom_csv_and_an_empty_roster_cleanly(tmp_path, areas):
    path = tmp_path / "空表.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ",".join(HEADERS).encode("gbk") + b"\n")
    with pytest.raises(CommandError) as err:
        call_command("import_roster", str(path), "--dry-run")
    assert "没有数据行" in str(err.value) or "no data rows" in str(err.value)
