"""Paper batches count once (issue 21, 2): the same batch sent twice is entered once (its
submission token), and a sheet number counts once per campaign — typed twice in a batch,
or brought again by another batch, it is refused, naming the row and the batch that has it."""

import pytest
from django.urls import reverse

from evaluations import services
from evaluations.models import PaperBatch, Response
from evaluations.selectors import campaign_validity, results_by_cadre
from tests.evaluations.factories import open_campaign
from tests.liaison.factories import make_cadre, make_household

pytestmark = pytest.mark.django_db

QUESTIONS = [{"code": "q1", "text": "您对结对干部的工作满意吗？", "kind": "scale"}]


@pytest.fixture
def campaign(county_leader, areas):
    return open_campaign(areas["ta"], actor=county_leader)


def _form(rows, token="batch-token-1"):
    data = {"submission": token}
    for n, (household, cadre, number) in enumerate(rows, start=1):
        data.update(
            {
                f"r{n}-household": household.pk,
                f"r{n}-cadre": cadre.pk,
                f"r{n}-q1": "1",
                f"r{n}-grassroots": "1",
                f"r{n}-number": number,
            }
        )
    return data


def test_the_same_batch_sent_twice_counts_once(client, clerk_a, campaign, areas, county_leader):
    cadre = make_cadre(areas["ta"], name="张差")
    households = [make_household(areas["va"], name=f"户{n}") for n in range(2)]
    client.force_login(clerk_a)
    url = reverse("evaluations:paper", args=[campaign.pk])
    data = _form([(households[0], cadre, "0001"), (households[1], cadre, "0002")])
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert Response.objects.count() == 2 and PaperBatch.objects.count() == 1
    (result,) = results_by_cadre(county_leader, campaign)
    assert result.answers == 2 and campaign_validity(campaign).participants == 2


def test_a_sheet_typed_twice_in_a_batch_is_refused_naming_both_rows(
    client, clerk_a, campaign, areas
):
    cadre = make_cadre(areas["ta"], name="张差")
    households = [make_household(areas["va"], name=f"户{n}") for n in range(2)]
    client.force_login(clerk_a)
    page = client.post(
        reverse("evaluations:paper", args=[campaign.pk]),
        _form([(households[0], cadre, "0001"), (households[1], cadre, "0001")]),
    )
    html = page.content.decode()
    assert page.status_code == 200 and "0001" in html and "第 1 行和第 2 行" in html
    assert not Response.objects.exists()


def test_a_sheet_another_batch_brought_is_refused_naming_that_batch(
    client, clerk_a, campaign, areas
):
    cadre = make_cadre(areas["ta"], name="张差")
    households = [make_household(areas["va"], name=f"户{n}") for n in range(3)]
    client.force_login(clerk_a)
    url = reverse("evaluations:paper", args=[campaign.pk])
    client.post(url, _form([(households[0], cadre, "0007")], token="a"))
    batch = PaperBatch.objects.get()
    again = client.post(
        url, _form([(households[1], cadre, "0008"), (households[2], cadre, "0007")], token="b")
    )
    html = again.content.decode()
    assert again.status_code == 200 and f"第 {batch.pk} 批" in html and "0007" in html
    assert Response.objects.count() == 1 and PaperBatch.objects.count() == 1


def test_a_sheet_without_its_number_is_refused(clerk_a, campaign, areas):
    cadre = make_cadre(areas["ta"], name="张差")
    row = services.PaperRow(make_household(areas["va"]), cadre, {"q1": "1"})
    with pytest.raises(services.EvaluationError) as refused:
        services.record_paper_batch(actor=clerk_a, campaign=campaign, surveyor=clerk_a, rows=[row])
    assert refused.value.errors[0][:2] == (1, "number")
    assert not Response.objects.exists()
