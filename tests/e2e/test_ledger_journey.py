"""A township clerk opens a ledger matter, starts work on it and resolves it."""

from datetime import date

from django.utils import timezone, translation
from playwright.sync_api import expect

from grievances.models import MatterSource, MatterStatus
from grievances.services import file_matter
from liaison.models import Duty, MatterKind, Rank
from liaison.services import assign_responsibility
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.liaison.factories import make_cadre, make_household


def _zh(label):
    with translation.override("zh-hans"):
        return str(label)


def test_clerk_starts_work_on_a_matter_and_resolves_it(page, live_server, areas, clerk_a):
    owner = make_cadre(areas["va"], name="刘强", rank=Rank.VILLAGE)
    head = make_cadre(areas["va"], name="杨村", rank=Rank.VILLAGE)
    assign_responsibility(
        actor=None, area=areas["va"], cadre=head, duty=Duty.RESPONSIBLE, start_date=date(2020, 1, 1)
    )
    household = make_household(areas["va"], name="王大明")
    matter = file_matter(
        actor=None,
        owner=owner,
        applicant=household,
        kind=MatterKind.DIFFICULTY,
        description="自来水管破裂，吃水困难",
        source=MatterSource.HOME_VISIT,
        received_on=timezone.localdate(),
    )

    log_in(page, live_server, "clerk_a", PASSWORD)
    page.goto(f"{live_server.url}/ledger/")
    table = page.get_by_test_id("ledger-table")
    expect(table).to_contain_text("自来水管破裂")
    table.get_by_role("link", name=matter.number).click()
    expect(page.get_by_test_id("owner")).to_contain_text("刘强")
    expect(page.get_by_test_id("handler")).to_contain_text("杨村")

    start = page.locator("details[data-action=start_work]")
    start.locator("summary").click()
    start.locator("textarea").fill("已联系村水管员")
    start.locator("button[type=submit]").click()
    expect(page.get_by_test_id("matter-status")).to_have_text(_zh(MatterStatus.IN_PROGRESS.label))

    resolve = page.locator("details[data-action=resolve]")
    resolve.locator("summary").click()
    resolve.locator("button[type=submit]").click()  # nothing typed: refused, stays open
    expect(resolve.locator(".field-error")).to_be_visible()
    resolve.locator("textarea").fill("已更换破裂水管，恢复供水")
    resolve.locator("button[type=submit]").click()

    expect(page.get_by_test_id("matter-status")).to_have_text(_zh(MatterStatus.RESOLVED.label))
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("tr[data-action=resolve]")).to_contain_text("已更换破裂水管，恢复供水")
    expect(timeline.locator("tr[data-action=start_work]")).to_contain_text("已联系村水管员")
    matter.refresh_from_db()
    assert (
        matter.status == MatterStatus.RESOLVED and matter.resolution == "已更换破裂水管，恢复供水"
    )
    assert list(matter.events.values_list("action", flat=True)) == [
        "filed",
        "start_work",
        "resolve",
    ]
