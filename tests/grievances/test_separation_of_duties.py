"""Separation of duties in the ledger (issue 21, 3 and 5): the household's close-out word is
collected by someone other than the matter's owner and handler, recorded with who and how,
and only such feedback counts for the owner; a cadre-only user handles only their own
matters; a supervisor supervises and handles none."""

from datetime import date

import pytest

from evaluations.selectors import matter_feedback_by_owner, results_by_cadre
from grievances.models import FeedbackChannel, Matter, MatterStatus
from grievances.services import (
    MatterError,
    close_out,
    explain,
    record_feedback,
    resolve,
)
from responsibility_areas.models import Role
from responsibility_areas.services import grant_membership
from tests.conftest import _person
from tests.evaluations.factories import open_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_user(ledger, areas):
    grant_membership(
        actor=None,
        actor_name="test",
        user=ledger.owner.user,
        area=areas["va"],
        role=Role.CADRE,
        start_date=date(2020, 1, 1),
    )
    return ledger.owner.user


@pytest.fixture
def campaign(county_leader, areas):
    return open_campaign(areas["ta"], actor=county_leader)


def test_the_owner_cannot_record_feedback_on_his_own_matter(
    make_matter, owner_user, clerk_a, township_leader
):
    """Finding: user `cadre` filed, resolved and closed out his own matter typing 满意."""
    matter = resolve(actor=owner_user, matter=make_matter(), resolution="已修")
    with pytest.raises(MatterError) as err:
        record_feedback(actor=owner_user, matter=matter, feedback="满意", satisfaction="satisfied")
    assert err.value.code == "own_matter"
    matter.refresh_from_db()
    assert matter.satisfaction == "" and matter.feedback_by is None
    matter = record_feedback(
        actor=clerk_a,
        matter=matter,
        feedback="电话回访，群众表示满意",
        satisfaction="satisfied",
        channel=FeedbackChannel.RETURN_CALL,
    )
    assert (matter.feedback_by, matter.feedback_channel) == (clerk_a, "return_call")
    matter = close_out(actor=township_leader, matter=matter)
    assert matter.status == MatterStatus.CLOSED_OUT and matter.feedback_by == clerk_a


def test_only_feedback_collected_by_someone_else_counts_for_the_owner(
    make_matter, ledger, clerk_a, county_leader, campaign
):
    counted = resolve(actor=clerk_a, matter=make_matter(), resolution="已修")
    record_feedback(actor=clerk_a, matter=counted, feedback="满意", satisfaction="satisfied")
    # A row the rule would have refused (written before it existed): never counted.
    legacy = resolve(actor=clerk_a, matter=make_matter(), resolution="已修")
    Matter.objects.filter(pk=legacy.pk).update(
        satisfaction="satisfied", feedback="满意", feedback_by=ledger.owner.user
    )
    unknown = resolve(actor=clerk_a, matter=make_matter(), resolution="已修")
    Matter.objects.filter(pk=unknown.pk).update(satisfaction="satisfied", feedback="满意")
    (row,) = matter_feedback_by_owner(county_leader, campaign)
    assert (row["owner"], row["answers"], row["satisfied"]) == (ledger.owner.pk, 1, 1)
    (result,) = results_by_cadre(county_leader, campaign)
    assert result.answers == 1


def test_a_cadre_only_user_handles_only_his_own_matters(make_matter, ledger, owner_user, areas):
    """Finding: a cadre-only user resolved matters they neither own nor handle."""
    colleague = _person("colleague", areas["va"], Role.CADRE)
    matter = make_matter()
    with pytest.raises(MatterError) as err:
        resolve(actor=colleague, matter=matter, resolution="已修")
    assert err.value.code == "not_handler"
    assert resolve(actor=owner_user, matter=matter, resolution="已修").status == "resolved"


def test_a_supervisor_supervises_and_never_settles_a_matter(make_matter, supervisor):
    """Finding: the supervisor closed matter 530802-2026-000002 as "explained"."""
    matter = make_matter()
    with pytest.raises(MatterError) as err:
        explain(actor=supervisor, matter=matter, explanation="政策不允许")
    assert err.value.code == "not_handler"
    matter.refresh_from_db()
    assert matter.status == MatterStatus.REGISTERED
