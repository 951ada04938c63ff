"""`make run` seeds the demo: it must work on an empty database and change nothing the second time."""

from io import StringIO

import pytest
from django.core.management import call_command

from foundation.models import AuditEvent
from grievances.models import Matter, MatterStatus
from liaison.models import Household, Pairing, Visit
from liaison.selectors import active_pairing_exists

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_every_part_and_a_second_run_changes_nothing():
    first = StringIO()
    call_command("seed_demo", stdout=first)
    # The monthly ledgers are recomputed (and that is recorded); nothing else is written.
    changes = AuditEvent.objects.exclude(action="ledger.rolled_up")
    counts = (
        Household.objects.count(),
        Pairing.objects.count(),
        Visit.objects.count(),
        Matter.objects.count(),
        changes.count(),
    )
    assert all(counts[:4]), counts
    assert set(Matter.objects.values_list("status", flat=True)) == set(MatterStatus.values)
    must_visit = Household.objects.must_visit()
    unpaired = must_visit.annotate(paired=active_pairing_exists()).filter(paired=False)
    assert 0 < unpaired.count() < must_visit.count()  # the coverage check has something to show
    second = StringIO()
    call_command("seed_demo", stdout=second)
    assert (
        Household.objects.count(),
        Pairing.objects.count(),
        Visit.objects.count(),
        Matter.objects.count(),
        changes.count(),
    ) == counts
    summary = [line for line in first.getvalue().splitlines() if "思茅区" in line]
    assert summary and summary == [
        line for line in second.getvalue().splitlines() if "思茅区" in line
    ]
    assert "clerk" in second.getvalue() and "Liaison-demo-2026" in second.getvalue()


def test_seed_demo_holds_a_year_of_surveys_in_every_state():
    """Issue 11 §9: valid and not valid campaigns, a cadre over one third, an open and a
    resolved accountability case."""
    from evaluations.models import AccountabilityCase, Campaign, CaseStatus
    from evaluations.selectors import campaign_validity

    call_command("seed_demo", stdout=StringIO())
    campaigns = list(Campaign.objects.order_by("pk"))
    assert len(campaigns) == 2
    validity = [campaign_validity(c).valid for c in campaigns]
    assert validity == [True, False]
    statuses = sorted(AccountabilityCase.objects.values_list("status", flat=True))
    assert statuses == [CaseStatus.OPEN, CaseStatus.RESOLVED]
    call_command("seed_demo", stdout=StringIO())
    assert Campaign.objects.count() == 2 and AccountabilityCase.objects.count() == 2
