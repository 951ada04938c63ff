"""The confirm step uses the rows its preview kept, and still checks the database again."""

import hashlib

import pytest

from liaison import services
from liaison.importing import keep, plan_roster, roster
from liaison.importing import progress as progress_module
from liaison.models import Household, ImportJob, ImportStatus, Pairing
from liaison.tasks import run_import
from tests.liaison.roster_files import roster_row, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(user, rows, name="花名册.xlsx"):
    return services.create_import_job(actor=user, data=xlsx_bytes(rows), file_name=name)


def kept_file(job):
    return keep.kept_path(services.job_file_path(job))


def count_reads(monkeypatch):
    reads = []
    real = roster.read_roster

    def spy(*args, **kwargs):
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(roster, "read_roster", spy)
    return reads


def test_confirm_imports_the_rows_its_preview_kept_without_reading_the_file_again(
    areas, clerk_a, monkeypatch
):
    job = upload(
        clerk_a, [roster_row(), roster_row(**{"干部电话": "13900000002", "结对干部": "赵敏"})]
    )
    assert run_import(job.pk) == ImportStatus.PREVIEWED
    assert kept_file(job).exists()
    reads = count_reads(monkeypatch)
    assert run_import(job.pk, confirm=True) == ImportStatus.DONE
    assert reads == [] and Pairing.objects.count() == 2 and Household.objects.count() == 2
    assert not kept_file(job).exists()  # dropped once imported


def test_kept_rows_that_were_tampered_with_are_ignored_and_the_file_is_read_again(
    areas, clerk_a, monkeypatch
):
    job = upload(clerk_a, [roster_row()])
    run_import(job.pk)
    path = kept_file(job)
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0xFF  # a changed byte in the pickled rows: the signature no longer fits
    path.write_bytes(bytes(blob))
    reads = count_reads(monkeypatch)
    assert run_import(job.pk, confirm=True) == ImportStatus.DONE
    assert reads == [1] and Household.objects.count() == 1


def test_kept_rows_are_not_used_when_the_stored_file_is_another_one(areas, clerk_a):
    job = upload(clerk_a, [roster_row(户主姓名="王大")])
    run_import(job.pk)
    services.job_file_path(job).write_bytes(xlsx_bytes([roster_row(户主姓名="李四")]))
    assert run_import(job.pk, confirm=True) == ImportStatus.DONE
    assert list(Household.objects.values_list("head_name", flat=True)) == ["李四"]


def test_kept_rows_are_not_used_on_another_day(areas, clerk_a, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+08:00")
    job = upload(clerk_a, [roster_row()])
    run_import(job.pk)
    path = kept_file(job)
    sha = hashlib.sha256(services.job_file_path(job).read_bytes()).hexdigest()
    assert keep.load_checked(path, sha256=sha) is not None
    time_machine.move_to("2026-03-03 10:00:00+08:00")
    assert keep.load_checked(path, sha256=sha) is None


def test_confirm_checks_the_database_again_a_household_registered_since_is_not_duplicated(
    areas, clerk_a
):
    row = roster_row()
    job = upload(clerk_a, [row])
    run_import(job.pk)
    # Meanwhile someone imports the same household with another cadre.
    other = upload(clerk_a, [{**row, "干部电话": "13900000009", "结对干部": "赵敏"}])
    assert run_import(other.pk, confirm=True) == ImportStatus.DONE
    assert run_import(job.pk, confirm=True) == ImportStatus.DONE
    job.refresh_from_db()
    assert Household.objects.count() == 1 and Pairing.objects.count() == 2
    assert job.counts["households_new"] == 0


def test_confirm_checks_scope_again_a_household_moved_out_of_scope_since_is_an_error(
    areas, clerk_a, clerk_b_sibling
):
    row = roster_row()
    job = upload(clerk_a, [row])
    run_import(job.pk)
    # Meanwhile the sibling township registers the same ID number in its own village.
    sibling_row = {**row, "乡(镇/街道)": "南屏镇", "村(社区)": "乙村", "村民小组": ""}
    sibling_row.update(
        {"干部电话": "13900000009", "结对干部": "赵敏", "干部单位": "南屏镇人民政府"}
    )
    other = upload(clerk_b_sibling, [sibling_row])
    assert run_import(other.pk, confirm=True) == ImportStatus.DONE
    assert run_import(job.pk, confirm=True) == ImportStatus.FAILED
    job.refresh_from_db()
    assert [e["code"] for e in job.errors] == ["out_of_scope"]
    assert Pairing.objects.count() == 1


def test_the_progress_bar_never_goes_back_during_a_confirm(areas, clerk_a, monkeypatch):
    shown = []
    real = progress_module.report_progress

    def spy(job_id, done, total, writer=None):
        shown.append(done / total if total else 0)
        return real(job_id, done, total, writer)

    monkeypatch.setattr(progress_module, "report_progress", spy)
    rows = [
        roster_row(**{"干部电话": f"139000000{i:02d}", "结对干部": f"干部{i}"}) for i in range(4)
    ]
    for preview_first in (False, True):
        job = upload(clerk_a, rows)
        if preview_first:
            run_import(job.pk)
        shown.clear()
        assert run_import(job.pk, confirm=True) == ImportStatus.DONE
        assert shown == sorted(shown) and shown[-1] == 1, shown
        assert shown.index(1) > shown.index(0.5)  # the check fills half the bar, the write the rest
        Pairing.objects.all().delete()
        Household.objects.all().delete()
        ImportJob.objects.all().delete()


def test_a_stale_plan_does_not_duplicate_a_household_created_after_the_check(areas, clerk_a):
    """The last guard: new households go in by COPY (PostgreSQL), which falls back to the upsert."""
    row = roster_row()
    data = xlsx_bytes([row])
    stale = plan_roster(data, file_name="a.xlsx", user=clerk_a)
    other = xlsx_bytes([{**row, "干部电话": "13900000009", "结对干部": "赵敏"}])
    services.import_roster(actor=clerk_a, plan=plan_roster(other, file_name="b.xlsx", user=clerk_a))
    services.import_roster(actor=clerk_a, plan=stale, file_name="a.xlsx")
    assert Household.objects.count() == 1 and Pairing.objects.count() == 2


def test_a_failure_while_building_the_rows_fails_the_import_and_writes_nothing(
    areas, clerk_a, monkeypatch
):
    """On PostgreSQL the COPY text is built in a second thread: its error still surfaces."""
    from liaison.services import imports

    real, calls = imports._household, []

    def failing(row, existing, now):
        calls.append(1)
        if len(calls) > 1:  # the first builds the column list; a later one breaks
            raise RuntimeError("boom")
        return real(row, existing, now)

    rows = [
        roster_row(**{"干部电话": f"139000000{i:02d}", "结对干部": f"干部{i}"}) for i in range(3)
    ]
    plan = plan_roster(xlsx_bytes(rows), file_name="a.xlsx", user=clerk_a)
    monkeypatch.setattr(imports, "_household", failing)
    with pytest.raises(RuntimeError, match="boom"):
        services.import_roster(actor=clerk_a, plan=plan, file_name="a.xlsx")
    assert not Household.objects.exists() and not Pairing.objects.exists()
