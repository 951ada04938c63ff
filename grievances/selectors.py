"""Reads over the ledger that other pages compose (the cadre's page, the home page).

Every selector that returns people's rows takes the viewer first and goes through
``visible_to``: what the viewer may not see is not there.
"""

from __future__ import annotations

from django.db.models import Q

from .models import Matter, MatterStatus


def open_matters_of_cadre(viewer, cadre):
    """Matters ``cadre`` owns (first visitor) or handles now, not closed out, that ``viewer`` sees.

    Soonest deadline first: what the cadre must act on today comes first.
    """
    return (
        Matter.objects.visible_to(viewer)
        .filter(Q(owner=cadre) | Q(handler=cadre))
        .exclude(status=MatterStatus.CLOSED_OUT)
        .select_related("applicant", "handling_area")
        .order_by("deadline", "id")
    )
