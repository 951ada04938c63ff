"""seed_scale --matters: valid ledger rows that the sweeps and the rollup can work on."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from grievances.models import LedgerMonth, Matter
from grievances.services import escalate_overdue_matters, rollup_ledger
from liaison.models import ResponsibilityAssignment

pytestmark = pytest.mark.django_db


def test_seed_scale_adds_matters_that_escalate_and_roll_up(capsys):
    args = {"cities": 1, "counties": 2, "townships": 3, "villages": 6, "groups_per_village": 1}
    call_command("seed_scale", **args, matters=300)
    assert Matter.objects.count() == 300 and ResponsibilityAssignment.objects.exists()
    numbers = Matter.objects.values_list("number", flat=True)
    assert len(set(numbers)) == 300
    overdue = Matter.objects.overdue().count()
    assert 0 < overdue < 100
    assert escalate_overdue_matters() == overdue
    assert rollup_ledger(month=timezone.localdate()) > 0
    assert LedgerMonth.objects.filter(area__depth=1).get().pending > 0
