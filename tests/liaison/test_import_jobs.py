"""Import jobs: upload, preview, confirm through the Celery task (eager), progress, history, CLI."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from foundation.models import AuditEvent
from liaison import services
from liaison.importing import job_progress
from liaison.models import Household, ImportJob, ImportStatus, Pairing
from liaison.tasks import run_import
from tests.liaison.roster_files import roster_row, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(user, rows, name="花名册.xlsx"):
    data = xlsx_bytes(rows)
    return services.create_import_job(actor=user, data=data, file_name=name), data


def test_upload_keeps_the_file_under_a_generated_name_with_its_hash(areas, clerk_a, settings):
    job, data = upload(clerk_a, [roster_row()], name="../../结对 花名册.xlsx")
    assert job.file_name == "结对 花名册.xlsx" and job.sha256 == hashlib.sha256(data).hexdigest()
    assert services.job_file_path(job).read_bytes() == data
    assert "花名册" not in job.stored_path and job.status == ImportStatus.UPLOADED
    assert job.area_path == areas["ta"].path


def test_preview_then_confirm_through_the_task(areas, clerk_a):
    job, _data = upload(
        clerk_a, [roster_row(), roster_row(**{"干部电话": "13900000002", "结对干部": "赵敏"})]
    )
    assert run_import.delay(job.pk, confirm=False).get() == ImportStatus.PREVIEWED
    job.refresh_from_db()
    assert job.counts["new"] == 2 and job.errors == [] and not Household.objects.exists()
    assert job_progress(job)["percent"] == 100
    assert run_import.delay(job.pk, confirm=True).get() == ImportStatus.DONE
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.finished_at and job.outcome
    assert Pairing.objects.count() == 2
    event = AuditEvent.objects.get(action="roster.imported")
    assert event.data["sha256"] == job.sha256 and event.object_id == str(job.pk)


def test_running_the_import_twice_imports_once(areas, clerk_a):
    job, _data = upload(clerk_a, [roster_row()])
    run_import(job.pk, confirm=True)
    assert run_import(job.pk, confirm=True) == ImportStatus.DONE
    assert Household.objects.count() == 1
    assert AuditEvent.objects.filter(action="roster.imported").count() == 1


def test_a_file_with_errors_fails_with_every_error_kept_and_nothing_written(areas, clerk_a):
    job, _data = upload(
        clerk_a, [roster_row(), roster_row(**{"公民身份号码": "530802195803171235"})]
    )
    assert run_import(job.pk, confirm=True) == ImportStatus.FAILED
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not Household.objects.exists()
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [
        (5, "公民身份号码", "bad_id_number")
    ]
    # A failed attempt never runs again by itself (a stale message of it does nothing);
    # importing the valid rows is a new attempt.
    assert run_import(job.pk, confirm=True, valid_rows_only=True) == ImportStatus.FAILED
    attempt = services.queue_import_attempt(actor=clerk_a, job=job, confirm=True)
    assert (
        run_import(job.pk, confirm=True, valid_rows_only=True, attempt=attempt) == ImportStatus.DONE
    )
    job.refresh_from_db()
    assert job.valid_rows_only and Household.objects.count() == 1


def test_progress_is_reported_while_checking(areas, clerk_a, monkeypatch):
    seen = []
    real = services.record_import_preview

    def spy(**kwargs):
        seen.append(job_progress(kwargs["job"]))
        return real(**kwargs)

    monkeypatch.setattr(services, "record_import_preview", spy)
    rows = [
        roster_row(**{"干部电话": f"139000000{i:02d}", "结对干部": f"干部{i}"}) for i in range(5)
    ]
    job, _data = upload(clerk_a, rows)
    run_import(job.pk)
    assert (
        seen[0]["done"] == 5
        and seen[0]["total"] == 5
        and seen[0]["status"] == ImportStatus.PREVIEWING
    )


def test_an_unreadable_file_fails_the_job_with_a_reason(areas, clerk_a):
    data = xlsx_bytes([["a", "b"]], headers=["甲", "乙"])
    job = services.create_import_job(actor=clerk_a, data=data, file_name="x.xlsx")
    assert run_import(job.pk) == ImportStatus.FAILED
    job.refresh_from_db()
    assert job.outcome


def test_import_history_is_scoped(areas, clerk_a, clerk_b_sibling, county_leader):
    job, _data = upload(clerk_a, [roster_row()])
    assert list(ImportJob.objects.visible_to(clerk_a)) == [job]
    assert list(ImportJob.objects.visible_to(county_leader)) == [job]
    assert list(ImportJob.objects.visible_to(clerk_b_sibling)) == []


def test_command_dry_run_prints_the_report_and_writes_nothing(areas, clerk_a, tmp_path, capsys):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(xlsx_bytes([roster_row()]))
    call_command("import_roster", str(path), "--dry-run", "--user", "clerk_a")
    out = capsys.readouterr().out
    assert "1" in out and not Household.objects.exists()
    call_command("import_roster", str(path), "--user", "clerk_a")
    assert Household.objects.count() == 1


def test_command_exits_non_zero_on_errors(areas, clerk_a, tmp_path, capsys):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(xlsx_bytes([roster_row(), roster_row(**{"公民身份号码": "1"})]))
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--user", "clerk_a")
    assert "公民身份号码" in capsys.readouterr().out and not Household.objects.exists()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--dry-run")
    with pytest.raises(CommandError):  # valid rows written, but the exit status still says so
        call_command("import_roster", str(path), "--valid-rows-only", "--user", "clerk_a")
    assert Household.objects.count() == 1


def test_command_refuses_unsafe_files(areas, tmp_path):
    path = tmp_path / "x.xlsm"
    path.write_bytes(xlsx_bytes([roster_row()]))
    with pytest.raises(CommandError):
        call_command("import_roster", str(path))


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_another_connection_while_the_import_transaction_is_open(
    areas, clerk_a
):
    from django.db import connection, connections, transaction

    from liaison.importing.progress import ProgressWriter

    job, _data = upload(clerk_a, [roster_row()])
    with transaction.atomic(), ProgressWriter(job.pk) as progress:
        progress(5, 10)
        poll = job_progress(ImportJob.objects.get(pk=job.pk))
        assert (poll["done"], poll["total"]) == (5, 10)  # the cache, in this process
        if connection.vendor == "postgresql":  # a poll from another process reads the row
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        "SELECT progress_done, progress_total FROM liaison_importjob WHERE id = %s",
                        [job.pk],
                    )
                    assert cursor.fetchone() == (5, 10)
            finally:
                other.close()


def test_uploaded_files_are_deleted_after_the_retention_period(areas, clerk_a, client, settings):
    """Issue 9 §2: rosters (full ID numbers) stayed under media/imports/ for ever."""
    import os
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from liaison.importing.keep import kept_path

    settings.LIAISON_IMPORT_KEEP_DAYS = 7
    old, _ = upload(clerk_a, [roster_row(**{"公民身份号码": "x"})])  # never confirmed
    run_import.delay(old.pk, confirm=False).get()
    fresh, _ = upload(clerk_a, [roster_row()])
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    stray = services.job_file_path(fresh).with_name("stray.xlsx")  # no job names it
    stray.write_bytes(b"PK")
    aged = (timezone.now() - timedelta(days=9)).timestamp()
    os.utime(stray, (aged, aged))
    old_file = services.job_file_path(old)
    assert old_file.exists() and kept_path(old_file).exists()

    call_command("purge_import_files")

    assert not old_file.exists() and not kept_path(old_file).exists() and not stray.exists()
    assert services.job_file_path(fresh).exists()
    old.refresh_from_db()
    assert old.file_deleted_at is not None
    assert AuditEvent.objects.filter(action="import.files_purged").count() == 1
    call_command("purge_import_files")  # nothing left to do: no second record
    assert AuditEvent.objects.filter(action="import.files_purged").count() == 1
    client.force_login(clerk_a)
    page = client.get(reverse("import_detail", args=[old.pk])).content.decode()
    assert 'data-testid="file-deleted"' in page and 'data-testid="confirm-import"' not in page
    assert client.get(reverse("import_error_report", args=[old.pk])).status_code == 404
    assert "7" in client.get(reverse("import_list")).content.decode()


def test_the_purge_is_scheduled_daily(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "liaison.tasks.purge_import_files" in tasks
