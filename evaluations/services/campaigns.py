"""Questionnaires, campaigns (open, close and freeze), accountability cases, commendations."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from foundation import audit, locks
from liaison.models import Cadre
from responsibility_areas.models import Area
from responsibility_areas.permissions import Action

from ..models import (
    AccountabilityCase,
    Campaign,
    CampaignStatus,
    CaseAction,
    CaseStatus,
    FrozenResult,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
)
from ..selectors import (
    campaign_validity,
    results_by_cadre,
    results_by_leading_body,
)
from ._base import EvaluationError, _allowed, _in_scope, _System


def _clean_questions(questions) -> list[dict]:
    cleaned, codes = [], set()
    for n, q in enumerate(questions, start=1):
        text = (q.get("text") or "").strip()
        kind = q.get("kind", QuestionKind.SCALE)
        code = (q.get("code") or f"q{n}").strip()
        if not text:
            raise EvaluationError(
                "no_text", _("Question %(n)d has no text.") % {"n": n}, "questions"
            )
        if kind not in QuestionKind.values:
            raise EvaluationError(
                "bad_kind", _("Question %(n)d has an unknown kind.") % {"n": n}, "questions"
            )
        if code in codes:
            raise EvaluationError(
                "duplicate_code",
                _("Two questions use the code %(code)s.") % {"code": code},
                "questions",
            )
        codes.add(code)
        cleaned.append(
            {
                "code": code,
                "text": text,
                "kind": kind,
                "allow_unknown": bool(q.get("allow_unknown", True)),
            }
        )
    if not any(q["kind"] == QuestionKind.SCALE for q in cleaned):
        raise EvaluationError(
            "no_scale", _("A questionnaire needs at least one single-choice question."), "questions"
        )
    return cleaned


@audit.service
def create_questionnaire(*, actor, name: str, subject: str, questions) -> QuestionnaireVersion:
    _allowed(actor, Action.EVALUATE, None)
    questionnaire = Questionnaire.objects.create(name=name.strip(), subject=subject)
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, questions=_clean_questions(questions)
    )
    audit.record(
        actor=actor, action="questionnaire.created", obj=questionnaire, data={"version": 1}
    )
    return version


@audit.service
def edit_questionnaire(*, actor, questionnaire: Questionnaire, questions) -> QuestionnaireVersion:
    """New questions. A version that has answers (or a campaign) is kept as it is and a new
    version is made, so old answers keep the meaning of what they answered."""
    _allowed(actor, Action.EVALUATE, None)
    current = locks.lock_first(questionnaire.versions.order_by("-number"))
    cleaned = _clean_questions(questions)
    used = Campaign.objects.filter(questionnaire=current).exists()
    if used:
        current = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire, number=current.number + 1, questions=cleaned
        )
    else:
        current.questions = cleaned
        current.save(update_fields=["questions"])
    audit.record(
        actor=actor,
        action="questionnaire.edited",
        obj=questionnaire,
        data={"version": current.number, "new_version": used},
    )
    return current


@audit.service
def create_campaign(
    *,
    actor,
    area: Area,
    name: str,
    period_start,
    period_end,
    questionnaire: QuestionnaireVersion,
    covers_cadres=True,
    covers_leading_bodies=False,
) -> Campaign:
    _in_scope(actor, area)
    _allowed(actor, Action.EVALUATE, area)
    if period_end < period_start:
        raise EvaluationError("bad_dates", _("The period ends before it starts."), "period_end")
    campaign = Campaign(
        name=name.strip(),
        period_start=period_start,
        period_end=period_end,
        questionnaire=questionnaire,
        covers_cadres=covers_cadres,
        covers_leading_bodies=covers_leading_bodies,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    campaign.place_in(area)
    campaign.save()
    audit.record(actor=actor, action="campaign.created", obj=campaign, data={"name": campaign.name})
    return campaign


@audit.service
def open_campaign(*, actor, campaign: Campaign) -> Campaign:
    _in_scope(actor, campaign.area)
    _allowed(actor, Action.EVALUATE, campaign.area)
    if not Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DRAFT).update(
        status=CampaignStatus.OPEN, opened_at=timezone.now()
    ):
        raise EvaluationError("not_draft", _("Only a draft campaign can be opened."))
    campaign.refresh_from_db()
    audit.record(actor=actor, action="campaign.opened", obj=campaign)
    return campaign


@audit.service
def close_campaign(*, actor, campaign: Campaign) -> list[AccountabilityCase]:
    """Close the campaign (no more answers) and open the accountability cases it calls for."""
    _in_scope(actor, campaign.area)
    _allowed(actor, Action.EVALUATE, campaign.area)
    if not Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.OPEN).update(
        status=CampaignStatus.CLOSED, closed_at=timezone.now()
    ):
        raise EvaluationError("not_open", _("Only an open campaign can be closed."))
    campaign.refresh_from_db()
    _freeze(campaign)
    cases = _open_cases(campaign)
    audit.record(actor=actor, action="campaign.closed", obj=campaign, data={"cases": len(cases)})
    return cases


def _freeze(campaign: Campaign) -> None:
    """Store the results as they stand (counts, rates, scores, ranks, participants): from
    now on every page, export, case and API of this campaign reads these rows."""
    from ..scores import scores

    everyone = _System()
    validity = campaign_validity(campaign)
    by_cadre = {r.subject_id: r for r in results_by_cadre(everyone, campaign)}
    scored = {s.cadre_id: s for s in scores(everyone, campaign)}
    cadres = Cadre.objects.select_related("area").in_bulk(set(by_cadre) | set(scored))
    bodies = results_by_leading_body(everyone, campaign)
    areas = Area.objects.in_bulk([r.subject_id for r in bodies])
    rows = []
    for cadre_id, cadre in cadres.items():
        result, score = by_cadre.get(cadre_id), scored.get(cadre_id)
        rows.append(_frozen_row(campaign, cadre.area, result, cadre=cadre, score=score))
    for result in bodies:
        area = areas[result.subject_id]
        rows.append(_frozen_row(campaign, area, result, subject_area=area))
    FrozenResult.objects.bulk_create(rows)
    Campaign.objects.filter(pk=campaign.pk).update(
        frozen_at=timezone.now(),
        frozen_participants=validity.participants,
        frozen_grassroots=validity.grassroots,
    )
    campaign.refresh_from_db()


@audit.service
def freeze_closed_campaigns(*, actor) -> int:
    """Store the results of campaigns closed before results were stored (an upgrade's
    one-off: ``manage.py freeze_campaigns``); a campaign already stored is left alone."""
    pending = list(
        Campaign.objects.filter(status=CampaignStatus.CLOSED, frozen_at__isnull=True)
        .select_for_update()
        .select_related("area", "questionnaire")
    )
    for campaign in pending:
        _freeze(campaign)
    audit.record(
        actor=actor,
        actor_name="system:freeze_campaigns",
        action="campaign.results_stored",
        data={"campaigns": [c.pk for c in pending]},
    )
    return len(pending)


def _frozen_row(campaign, place, result, *, cadre=None, subject_area=None, score=None):
    row = FrozenResult(
        campaign=campaign,
        cadre=cadre,
        subject_area=subject_area,
        name=(cadre.name if cadre else subject_area.name)[:100],
        answers=result.answers if result else 0,
        satisfied=result.satisfied if result else 0,
        fairly=result.fairly if result else 0,
        dissatisfied=result.dissatisfied if result else 0,
        respondents=result.respondents if result else 0,
    )
    if score is not None:
        row.exam, row.test, row.score, row.rank = score.exam, score.test, score.score, score.rank
        row.parts = {k: list(v) for k, v in score.parts.items()}
    row.place_in(place)
    return row


def _open_cases(campaign: Campaign) -> list[AccountabilityCase]:
    """A case for every cadre and leading body strictly over the threshold (idempotent)."""
    cases = []
    everyone = _System()  # the campaign's own view: every answer counts, not one viewer's
    over = [r for r in results_by_cadre(everyone, campaign) if r.over_threshold]
    cadres = Cadre.objects.select_related("area").in_bulk([r.subject_id for r in over])
    for result in over:
        cases.append(_case(campaign, cadres[result.subject_id], None, result))
    over = [r for r in results_by_leading_body(everyone, campaign) if r.over_threshold]
    areas = Area.objects.in_bulk([r.subject_id for r in over])
    for result in over:
        cases.append(_case(campaign, None, areas[result.subject_id], result))
    return cases


def _case(campaign, cadre, area, result) -> AccountabilityCase:
    existing = AccountabilityCase.objects.filter(
        campaign=campaign, cadre=cadre, subject_area=area
    ).first()
    if existing is not None:
        return existing
    case = AccountabilityCase(
        campaign=campaign,
        cadre=cadre,
        subject_area=area,
        answers=result.answers,
        dissatisfied=result.dissatisfied,
    )
    case.place_in(cadre.area if cadre is not None else area)
    case.save()
    return case


@audit.service
def resolve_case(
    *, actor, case: AccountabilityCase, action: str, reason: str = ""
) -> AccountabilityCase:
    """Record what was done; "not held accountable" needs a reason."""
    _in_scope(actor, case.area)
    _allowed(actor, Action.APPROVE, case.area)
    if action not in CaseAction.values:
        raise EvaluationError("bad_action", _("Choose what was done."), "action")
    if action == CaseAction.NONE and not reason.strip():
        raise EvaluationError("no_reason", _("Say why no one is held accountable."), "reason")
    if not AccountabilityCase.objects.filter(pk=case.pk, status=CaseStatus.OPEN).update(
        status=CaseStatus.RESOLVED,
        action=action,
        reason=reason.strip(),
        resolved_at=timezone.now(),
        resolved_by=actor if getattr(actor, "pk", None) else None,
    ):
        raise EvaluationError("already_resolved", _("This case has already been resolved."))
    case.refresh_from_db()
    audit.record(actor=actor, action="accountability.resolved", obj=case, data={"action": action})
    return case


@audit.service
def record_results_export(*, actor, campaign: Campaign) -> None:
    """Who downloaded a campaign's results (no personal data in it, but it is published)."""
    audit.record(actor=actor, action="evaluation.results_exported", obj=campaign)


@audit.service
def confirm_commendations(*, actor, campaign: Campaign, top: int = 100):
    """The best ``top`` of the campaign's ranking (一测一考, ties kept together), confirmed by a
    leader: the list is written once, with who confirmed it and when (audited)."""
    from ..models import Commendation
    from ..scores import scores

    _in_scope(actor, campaign.area)
    _allowed(actor, Action.APPROVE, campaign.area)
    if campaign.status != CampaignStatus.CLOSED:
        raise EvaluationError("not_closed", _("Commend from a closed campaign's results."))
    if Commendation.objects.filter(campaign=campaign).exists():
        raise EvaluationError("already_confirmed", _("The commendation list is already confirmed."))
    ranked = [s for s in scores(_System(), campaign) if s.test is not None]
    chosen = [s for s in ranked if s.rank <= top]
    now = timezone.now()
    rows = Commendation.objects.bulk_create(
        Commendation(
            campaign=campaign,
            cadre_id=s.cadre_id,
            rank=s.rank,
            score=s.score,
            confirmed_at=now,
            confirmed_by=actor if getattr(actor, "pk", None) else None,
        )
        for s in chosen
    )
    audit.record(
        actor=actor,
        action="evaluation.commendations_confirmed",
        obj=campaign,
        data={"top": top, "cadres": [s.name for s in chosen]},
    )
    return rows
