"""A task for the worker-loss test only (the worker loads it with ``-I``)."""

import time
from pathlib import Path

from celery import shared_task
from django.db import transaction

from grievances.services import escalate_overdue_matters


@shared_task(name="tests.escalate_slowly")
def escalate_slowly(marker: str, seconds: float) -> int:
    """Escalate, then (on the first delivery only) wait inside the open transaction."""
    first = not Path(marker).exists()
    with transaction.atomic():
        moved = escalate_overdue_matters()
        if first:
            Path(marker).write_text(f"escalated {moved}, not committed")
            time.sleep(seconds)
    return moved
