"""The inspection team's page of ballot codes (测评码): per village, how many households hold
one; printing a village's slips is the only time its codes are shown."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.models import Household
from responsibility_areas.models import Area, Level
from responsibility_areas.permissions import Action, may

from . import services
from .models import BallotCode
from .views import get_campaign_for


@login_required
def ballot_codes(request, pk):
    """The inspection team's page: per village, how many households hold a code; issuing a
    village's codes prints its slips (the only time the codes are shown)."""
    from django.db.models import Count, OuterRef, Subquery

    from foundation.qr import qr_svg

    campaign = get_campaign_for(request.user, pk)
    if not may(request.user, Action.EVALUATE, campaign.area):
        raise PermissionDenied
    villages = Area.objects.visible_to(request.user).filter(
        path__startswith=campaign.area_path, level__in=[Level.VILLAGE, Level.COMMUNITY]
    )
    error = None
    if request.method == "POST":
        chosen = request.POST.get("village", "")
        village = villages.filter(pk=chosen).first() if chosen.isdigit() else None
        if village is None:
            error = _("Choose a village of the campaign.")
        else:
            try:
                issued = services.issue_ballot_codes(
                    actor=request.user, campaign=campaign, village=village
                )
            except services.EvaluationError as exc:
                error = exc.message
            else:
                from .ballots import printed

                # As on the contact cards: the public address wins over the office's.
                base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
                path = reverse("ballot")
                url = f"{base}{path}" if base else request.build_absolute_uri(path)
                return render(
                    request,
                    "evaluations/ballot_slips.html",
                    {
                        "campaign": campaign,
                        "village": village,
                        "url": url,
                        "qr": qr_svg(url),
                        "slips": [
                            {"name": h.head_name, "place": h.area.name, "code": printed(c)}
                            for h, c in issued
                        ],
                    },
                )
    issued = (
        BallotCode.objects.filter(
            campaign=campaign, household__area_path__startswith=OuterRef("path")
        )
        .order_by()
        .values("campaign")
        .annotate(n=Count("id"))
        .values("n")
    )
    households = (
        Household.objects.filter(area_path__startswith=OuterRef("path"))
        .order_by()
        .annotate(one=models.Value(1))
        .values("one")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = villages.annotate(codes=Subquery(issued), households=Subquery(households)).order_by(
        "path"
    )
    return render(
        request,
        "evaluations/ballots.html",
        {"campaign": campaign, "villages": rows[:500], "error": error},
        status=400 if error else 200,
    )
