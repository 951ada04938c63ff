"""Satisfaction figures for the dashboards, one definition each.

- **the campaign**: the latest opened or closed campaign whose area is ``area`` or one of its
  ancestors (a county's campaign shows on its townships' boards; a township's campaign is
  never shown as its county's — a county without its own says there is none).
- **satisfaction rate** (满意率): (satisfied + fairly satisfied) / answers on the scale, over
  the answers from ``area``'s subtree ("don't know" and blanks left out);
  **dissatisfaction rate** (不满意率): dissatisfied / answers.
- **participants**: those who answered from ``area``'s subtree (households, or paper sheets
  without one); **validity** (the participant rules) only on the campaign's own area.
- **cases open** (问责在办): the campaign's accountability cases of the subtree not yet
  resolved (without a campaign: the subtree's, of any campaign).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Max, Q

from responsibility_areas.models import Area

from .models import (
    Campaign,
    CampaignStatus,
    CaseStatus,
    Response,
    ResponseAnswer,
    Scale,
)
from .selectors import campaign_validity, cases_for, participants_of


def latest_campaign(viewer, area: Area):
    ancestors = [area.path[:w] for w in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    return (
        Campaign.objects.visible_to(viewer)
        .exclude(status=CampaignStatus.DRAFT)
        .filter(area_path__in=ancestors)
        .order_by("-period_end", "-id")
        .first()
    )


def satisfaction_figures(viewer, area: Area) -> dict:
    """The figures of the module docstring. The rates and validity of a campaign are kept in
    the cache under the campaign's number of responses, so they are recomputed exactly when
    a response arrives and never served stale (responses are only ever added)."""
    campaign = latest_campaign(viewer, area)
    cases = cases_for(viewer).subtree_of(area).filter(status=CaseStatus.OPEN)
    if campaign is None:
        return {"campaign": None, "cases_open": cases.count()}
    cases = cases.filter(campaign=campaign).count()
    # A replaced QR answer is a new row: the newest id moves even when the count does not.
    seen = Response.objects.filter(campaign=campaign).aggregate(n=Count("id"), last=Max("id"))
    key = f"satisfaction:{campaign.pk}:{campaign.status}:{seen['n']}:{seen['last']}:{area.path}"
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
    rates = {
        **answers,
        "satisfaction_rate": round(100 * (answers["satisfied"] + answers["fairly"]) / n, 1)
        if n
        else None,
        "dissatisfaction_rate": round(100 * answers["dissatisfied"] / n, 1) if n else None,
    }
    if area.pk == campaign.area_id:
        validity = campaign_validity(campaign)
        return {
            **rates,
            "participants": validity.participants,
            "grassroots_percent": round(validity.grassroots_percent, 1),
            "valid": validity.valid,
            "problems": validity.problems,
        }
    # A part of the campaign's area: its own participants; the rules judge the whole.
    participants, grassroots = participants_of(
        Response.objects.filter(campaign=campaign, area_path__startswith=area.path)
    )
    return {
        **rates,
        "participants": participants,
        "grassroots_percent": round(100 * grassroots / participants, 1) if participants else 0.0,
        "valid": None,
        "problems": [],
    }
