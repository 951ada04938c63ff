"""One truth per figure (issue 21, 6), the satisfaction block and a case's evidence: a
county's board shows the county's own campaign or says there is none; a sub-area shows its
own participants; "n matters past their deadline" opens exactly those n."""

import re
from datetime import date

import pytest
from django.urls import reverse

from evaluations import services
from grievances.models import Matter
from tests.evaluations.factories import open_campaign
from tests.liaison.factories import make_cadre, make_household, sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def township_campaign(areas, clerk_a):
    campaign = open_campaign(areas["ta"], name="思茅镇测评")
    cadre = make_cadre(areas["va"], name="张差")
    households = [make_household(areas["va"], name=f"甲{n}") for n in range(3)] + [
        make_household(areas["ga"], name="组户")
    ]
    rows = [
        services.PaperRow(h, cadre, {"q1": d}, number=sheet())
        for h, d in zip(households, ["3", "3", "1", "1"], strict=True)
    ]
    services.record_paper_batch(actor=clerk_a, campaign=campaign, surveyor=clerk_a, rows=rows)
    services.close_campaign(actor=None, campaign=campaign)
    return campaign, cadre


def _block(client, area):
    html = client.get(reverse("dashboard:area", args=[area.pk])).content.decode()
    return html[html.index('data-testid="board-satisfaction"') :].split("</section>")[0]


def test_a_county_board_shows_no_townships_campaign_as_its_own(
    client, county_leader, areas, township_campaign
):
    client.force_login(county_leader)
    county = _block(client, areas["ca"])
    assert "思茅镇测评" not in county and "尚未" in county
    township = _block(client, areas["ta"])
    assert "思茅镇测评" in township
    assert re.search(r'data-testid="participants">4<', township)
    group = _block(client, areas["ga"])  # a group of the township: its own one participant
    assert "思茅镇测评" in group and re.search(r'data-testid="participants">1<', group)


def test_a_cases_evidence_opens_exactly_its_matters(
    client, county_leader, areas, township_campaign, clerk_a
):
    from grievances.services import file_matter

    campaign, cadre = township_campaign
    late = file_matter(
        actor=clerk_a,
        owner=cadre,
        applicant=make_household(areas["va"]),
        description="井水浑浊",
        kind="difficulty",
        source="home_visit",
        received_on=date(2026, 3, 1),
    )
    Matter.objects.filter(pk=late.pk).update(deadline=date(2026, 3, 20))
    file_matter(  # on time: not evidence
        actor=clerk_a,
        owner=cadre,
        applicant=make_household(areas["va"]),
        description="路灯",
        kind="difficulty",
        source="home_visit",
        received_on=date(2026, 12, 1),
    )
    client.force_login(county_leader)
    page = client.get(reverse("evaluations:detail", args=[campaign.pk])).content.decode()
    href, shown = re.search(
        r'<a class="muted" href="([^"]+)" data-testid="case-evidence">(\d+)', page
    ).groups()
    listed = client.get(href.replace("&amp;", "&"))
    assert listed.context["page"].paginator.count == int(shown) == 1
