"""Discarding an import (issue 23 §7): a file checked with errors stayed in 待办 for ever."""

import pytest
from django.urls import reverse

from liaison import services
from liaison.models import Household, ImportJob, ImportStatus
from liaison.tasks import run_import
from portal.todo import todo_for
from tests.liaison.roster_files import roster_row, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _waiting(user, area) -> int:
    sections = {s.key: s for _t, group in todo_for(user, area) for s in group}
    return sections["imports"].count


def test_a_checked_file_is_discarded_and_leaves_the_to_do_list(client, clerk_a, areas):
    bad = roster_row(**{"公民身份号码": "110101199003070000"})  # a wrong check digit
    job = services.create_import_job(
        actor=clerk_a, data=xlsx_bytes([roster_row(), bad]), file_name="花名册.xlsx"
    )
    attempt = services.queue_import_attempt(actor=clerk_a, job=job, confirm=False)
    assert run_import(job.pk, confirm=False, attempt=attempt) == ImportStatus.PREVIEWED
    assert _waiting(clerk_a, areas["ta"]) == 1
    client.force_login(clerk_a)
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="discard-import"' in page
    response = client.post(reverse("import_discard", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED and _waiting(clerk_a, areas["ta"]) == 0
    # Its attempt is over: a late task of it does nothing, and nothing was written.
    assert run_import(job.pk, confirm=True, attempt=attempt) == ImportStatus.DISCARDED
    assert Household.objects.count() == 0
    # A discarded or imported file cannot be discarded (again).
    response = client.post(reverse("import_discard", args=[job.pk]), follow=True)
    assert "只有" in response.content.decode() or "Only" in response.content.decode()
    assert ImportJob.objects.get().status == ImportStatus.DISCARDED


def test_nobody_discards_an_import_outside_their_scope(client, clerk_a, clerk_b_sibling):
    job = services.create_import_job(
        actor=clerk_a, data=xlsx_bytes([roster_row()]), file_name="花名册.xlsx"
    )
    client.force_login(clerk_b_sibling)
    assert client.post(reverse("import_discard", args=[job.pk])).status_code == 404
    assert ImportJob.objects.get().status == ImportStatus.UPLOADED
