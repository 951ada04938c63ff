"""Satisfaction figures for the dashboards, one definition each.

- **the campaign**: the latest opened or closed campaign whose area is ``area``, one of its
  ancestors or one of its descendants (a county's campaign shows on its townships' boards).
- **satisfaction rate** (满意率): (satisfied + fairly satisfied) / answers on the scale, over
  the answers from ``area``'s subtree ("don't know" and blanks left out);
  **dissatisfaction rate** (不满意率): dissatisfied / answers.
- **validity**: the campaign's participant rules (``campaign_validity``), for the campaign.
- **cases open** (问责在办): accountability cases of the subtree not yet resolved.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Q

from responsibility_areas.models import Area

from .models import (
    Campaign,
    CampaignStatus,
    CaseStatus,
    Response,
    ResponseAnswer,
    Scale,
)
from .selectors import campaign_validity, cases_for


def latest_campaign(viewer, area: Area):
    ancestors = [area.path[:w] for w in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    return (
        Campaign.objects.visible_to(viewer)
        .exclude(status=CampaignStatus.DRAFT)
        .filter(Q(area_path__startswith=area.path) | Q(area_path__in=ancestors))
        .order_by("-period_end", "-id")
        .first()
    )


def satisfaction_figures(viewer, area: Area) -> dict:
    """The figures of the module docstring. The rates and validity of a campaign are kept in
    the cache under the campaign's number of responses, so they are recomputed exactly when
    a response arrives and never served stale (responses are only ever added)."""
    campaign = latest_campaign(viewer, area)
    cases = cases_for(viewer).subtree_of(area).filter(status=CaseStatus.OPEN).count()
    if campaign is None:
        return {"campaign": None, "cases_open": cases}
    responses = Response.objects.filter(campaign=campaign).count()
    key = f"satisfaction:{campaign.pk}:{campaign.status}:{responses}:{area.path}"
    figures = cache.get(key)
    if figures is None:
        figures = _campaign_figures(viewer, campaign, area)
        cache.set(key, figures, 3600)
    return {"campaign": campaign, "cases_open": cases, **figures}


def _campaign_figures(viewer, campaign, area: Area) -> dict:
    answers = (
        ResponseAnswer.objects.visible_to(viewer)
        .filter(response__campaign=campaign, response__area_path__startswith=area.path)
        .exclude(value="")
        .exclude(value=Scale.UNKNOWN)
        .aggregate(
            answers=Count("id"),
            satisfied=Count("id", filter=Q(value=Scale.SATISFIED)),
            fairly=Count("id", filter=Q(value=Scale.FAIRLY)),
            dissatisfied=Count("id", filter=Q(value=Scale.DISSATISFIED)),
        )
    )
    n = answers["answers"]
    validity = campaign_validity(campaign)
    return {
        **answers,
        "satisfaction_rate": round(100 * (answers["satisfied"] + answers["fairly"]) / n, 1)
        if n
        else None,
        "dissatisfaction_rate": round(100 * answers["dissatisfied"] / n, 1) if n else None,
        "participants": validity.participants,
        "grassroots_percent": round(validity.grassroots_percent, 1),
        "valid": validity.valid,
        "problems": validity.problems,
    }
