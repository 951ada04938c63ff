"""Deadlines per level and kind that a county sets (issue 21, 7): its leaders' rule wins
over the default for matters arising in the county, filed, reported up or escalated; the
neighbouring county keeps the default; a township leader may not set them."""

from datetime import date

import pytest
import time_machine

from grievances import services
from grievances.deadlines import rule_for
from grievances.models import HandlingLevel

pytestmark = pytest.mark.django_db


def test_a_countys_own_rule_wins_for_its_matters_only(
    make_matter, ledger, areas, county_leader, township_leader
):
    with pytest.raises(services.MatterError):
        services.set_deadline_rule(
            actor=township_leader, county=areas["ca"], level="village", kind="", days=5
        )
    services.set_deadline_rule(
        actor=county_leader, county=areas["ca"], level="village", kind="", days=5
    )
    services.set_deadline_rule(
        actor=county_leader, county=areas["ca"], level="township", kind="", days=9
    )
    assert rule_for(HandlingLevel.VILLAGE, "difficulty", areas["ca"].pk) == (5, False)
    assert rule_for(HandlingLevel.VILLAGE, "difficulty", areas["cb"].pk) != (5, False)
    with time_machine.travel(date(2026, 11, 2)):
        matter = make_matter(received_on=date(2026, 11, 2))
        assert matter.deadline == date(2026, 11, 7)
        up = services.report_up(actor=ledger.owner.user, matter=matter, reason="村里解决不了")
        assert up.deadline == date(2026, 11, 11)
    with time_machine.travel(date(2026, 11, 20)):  # past the township's 9 days: escalates
        services.escalate_overdue_matters()
        up.refresh_from_db()
        assert up.level == HandlingLevel.COUNTY
    services.set_deadline_rule(
        actor=county_leader, county=areas["ca"], level="village", kind="", days=None
    )
    assert rule_for(HandlingLevel.VILLAGE, "difficulty", areas["ca"].pk) != (5, False)


def test_the_county_page_shows_and_sets_its_rules(client, county_leader, clerk_a, areas):
    client.force_login(county_leader)
    client.post("/areas/current/", {"area": areas["ca"].pk})
    page = client.get("/ledger/deadlines/")
    assert page.status_code == 200 and 'data-testid="deadline-form"' in page.content.decode()
    saved = client.post(
        "/ledger/deadlines/", {"level": "village", "kind": "", "days": "12", "working_days": "on"}
    )
    assert saved.status_code == 302
    assert rule_for(HandlingLevel.VILLAGE, "difficulty", areas["ca"].pk) == (12, True)
    client.force_login(clerk_a)  # a clerk reads the rules, sets none
    page = client.get("/ledger/deadlines/").content.decode()
    assert 'data-testid="deadline-table"' in page and 'data-testid="deadline-form"' not in page
