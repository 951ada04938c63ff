"""Writes of the evaluation: questionnaires, campaigns, answers, accountability cases.

Each public function is one audited transaction (``foundation.audit``); a broken rule is an
:class:`EvaluationError` naming the field (and, for a paper batch, the row and question).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from foundation import audit
from liaison.models import Cadre, Household, Pairing
from responsibility_areas.models import Area
from responsibility_areas.permissions import Action
from responsibility_areas.scoping import scope_paths

from . import ballots
from .models import (
    SCALE_DIGITS,
    AccountabilityCase,
    BallotCode,
    Campaign,
    CampaignStatus,
    CaseAction,
    CaseStatus,
    Channel,
    FrozenResult,
    PaperBatch,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseAnswer,
    Scale,
)
from .selectors import (
    ballot_subjects,
    campaign_validity,
    results_by_cadre,
    results_by_leading_body,
)


class EvaluationError(Exception):
    """A rule was broken. ``code`` is stable, ``message`` translated, ``field`` at fault;
    ``errors`` lists every (row, question, message) of a paper batch."""

    def __init__(self, code: str, message: str, field: str | None = None, errors=None):
        super().__init__(message)
        self.code, self.message, self.field, self.errors = code, message, field, errors or []


def _in_scope(actor, area: Area) -> None:
    if actor is None:
        return
    paths = scope_paths(actor)
    if not ("" in paths or any(area.path.startswith(p) for p in paths)):
        raise EvaluationError(
            "out_of_scope", _("This area is outside your responsibility."), "area"
        )


def _allowed(actor, action: str, area: Area | None) -> None:
    """The role table (responsibility_areas.permissions): in scope is not enough."""
    from responsibility_areas.permissions import may, may_at_the_root

    if actor is None:
        return
    allowed = may_at_the_root(actor, action) if area is None else may(actor, action, area)
    if not allowed:
        raise EvaluationError("not_allowed", _("Your role does not allow this."))


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
    current = questionnaire.versions.select_for_update().order_by("-number").first()
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
    from .scores import scores

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


class _System:
    """The campaign's own view of its answers (all of them), for opening cases."""

    is_authenticated = is_active = is_superuser = True
    pk = None


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


# --- Paper questionnaires, entered by a clerk in batches -----------------------------------


@dataclass
class PaperRow:
    """One paper questionnaire: who answered, about whom, and the digits typed per question."""

    household: Household | None
    cadre: Cadre | None
    digits: dict  # question code -> "1".."4" (scale) or text
    grassroots: bool = True
    number: str = ""
    body: Area | None = None  # an area's leading body graded instead of a cadre


def _own_paired(surveyor_cadre_id, household_ids) -> set[int]:
    pairs = Pairing.objects.active().filter(
        cadre_id=surveyor_cadre_id, household_id__in=household_ids
    )
    return set(pairs.values_list("household_id", flat=True))


def _sheet_errors(campaign: Campaign, rows: list[PaperRow]) -> list[tuple]:
    """Every sheet carries its number, and a number counts once per campaign: a second
    entry names the batch that already has it (or the row of this batch)."""
    errors, seen = [], {}
    numbers = [r.number.strip() for r in rows if r.number.strip()]
    earlier = {
        r.paper_number: r
        for r in Response.objects.filter(
            campaign=campaign, channel=Channel.PAPER, paper_number__in=numbers
        ).select_related("batch__entered_by")
    }
    for n, row in enumerate(rows, start=1):
        number = row.number.strip()
        if not number:
            errors.append((n, "number", _("Type the questionnaire's number.")))
        elif number in seen:
            errors.append(
                (
                    n,
                    "number",
                    _(
                        "Questionnaire %(number)s is typed twice in this batch (rows %(a)d and %(b)d)."
                    )
                    % {"number": number, "a": seen[number], "b": n},
                )
            )
        elif number in earlier:
            errors.append((n, "number", _already_counted(number, earlier[number])))
        seen.setdefault(number, n)
    return errors


def _already_counted(number: str, response: Response) -> str:
    batch = response.batch
    if batch is None:
        return _("Questionnaire %(number)s is already counted in this campaign.") % {
            "number": number
        }
    return _(
        "Questionnaire %(number)s is already counted in batch %(batch)d "
        "(entered by %(who)s on %(day)s)."
    ) % {
        "number": number,
        "batch": batch.pk,
        "who": batch.entered_by.get_full_name() or batch.entered_by.get_username()
        if batch.entered_by
        else "—",
        "day": timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M"),
    }


@audit.service
def record_paper_batch(*, actor, campaign: Campaign, surveyor, rows: list[PaperRow]) -> PaperBatch:
    """Enter a batch of paper questionnaires: all of them, or none.

    Every row is checked first; a digit out of range names the row and the question, and
    nothing is written until every row is right. A cadre never surveys, nor enters answers
    about, their own paired households (the surveyor's and the typist's cadre). A sheet's
    number counts once per campaign, whichever batch brings it.
    """
    _in_scope(actor, campaign.area)
    # Serialise batches of one campaign: two clerks typing the same sheet at once must not
    # both find it new (the unique constraint would refuse the second anyway, as a 500).
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.OPEN:
        raise EvaluationError("closed", _("This campaign is not open for answers."))
    questions = campaign.questionnaire.questions
    errors = _sheet_errors(campaign, rows)
    household_ids = [r.household.pk for r in rows if r.household is not None]
    conflicted = set()
    for person in {surveyor, actor}:
        cadre = getattr(person, "cadre", None) if person is not None else None
        if cadre is not None:
            conflicted |= _own_paired(cadre.pk, household_ids)
            for n, row in enumerate(rows, start=1):
                if row.cadre is not None and row.cadre.pk == cadre.pk:
                    errors.append(
                        (n, "", _("A cadre cannot survey or enter answers about themselves."))
                    )
    for n, row in enumerate(rows, start=1):
        if (row.cadre is None) == (row.body is None):
            errors.append((n, "", _("Grade either a cadre or a leading body.")))
        if row.body is not None and not (
            campaign.covers_leading_bodies and row.body.path.startswith(campaign.area_path)
        ):
            errors.append((n, "", _("This campaign does not grade that leading body.")))
        if row.cadre is not None and not campaign.covers_cadres:
            errors.append((n, "", _("This campaign does not grade cadres.")))
        if row.household is not None and row.household.pk in conflicted:
            errors.append((n, "", _("A cadre cannot survey their own paired households.")))
        if row.household is not None and not row.household.area_path.startswith(campaign.area_path):
            errors.append((n, "", _("This household is not in the campaign's area.")))
        for q in questions:
            raw = str(row.digits.get(q["code"], "")).strip()
            if q["kind"] == QuestionKind.SCALE:
                value = SCALE_DIGITS.get(raw)
                if value is None or (value == Scale.UNKNOWN and not q.get("allow_unknown", True)):
                    allowed = "1–4" if q.get("allow_unknown", True) else "1–3"
                    errors.append(
                        (
                            n,
                            q["code"],
                            _("Answer “%(raw)s” is not one of %(allowed)s.")
                            % {"raw": raw, "allowed": allowed},
                        )
                    )
    if errors:
        raise EvaluationError(
            "bad_batch",
            _("%(n)d problem(s) in the batch; nothing was saved.") % {"n": len(errors)},
            errors=errors,
        )
    entered_by = actor if getattr(actor, "pk", None) else None
    batch = PaperBatch.objects.create(
        campaign=campaign, surveyor=surveyor, entered_by=entered_by, sheets=len(rows)
    )
    for row in rows:
        response = Response(
            campaign=campaign,
            channel=Channel.PAPER,
            household=row.household,
            grassroots=row.grassroots,
            cadre=row.cadre,
            subject_area=row.body,
            surveyor=surveyor,
            entered_by=entered_by,
            paper_number=row.number.strip(),
            batch=batch,
        )
        response.place_in(row.household.area if row.household else campaign.area)
        response.save()
        ResponseAnswer.objects.bulk_create(
            ResponseAnswer(
                response=response,
                question=q["code"],
                value=SCALE_DIGITS[str(row.digits[q["code"]]).strip()]
                if q["kind"] == QuestionKind.SCALE
                else "",
                text="" if q["kind"] == QuestionKind.SCALE else str(row.digits.get(q["code"], "")),
            )
            for q in questions
        )
    audit.record(
        actor=actor,
        action="evaluation.paper_batch",
        obj=campaign,
        data={
            "batch": batch.pk,
            "responses": len(rows),
            "surveyor": getattr(surveyor, "username", ""),
        },
    )
    return batch


# --- The household's own answer, from the QR page of its contact card ----------------------


@audit.service
def issue_ballot_codes(*, actor, campaign: Campaign, village: Area) -> list[tuple]:
    """New ballot codes for every household of ``village`` in the campaign (the slips the
    inspection team prints and hands out): ``[(household, code)]``, the only time a code is
    readable. Issuing again makes new codes and voids the old ones. Nobody paired with a
    household of the village may issue its codes (they are graded by them)."""
    from liaison.models import Household

    _in_scope(actor, village)
    _allowed(actor, Action.EVALUATE, village)
    if campaign.status == CampaignStatus.CLOSED:
        raise EvaluationError("closed", _("This campaign is closed."))
    if not village.path.startswith(campaign.area_path):
        raise EvaluationError("outside", _("This area is not in the campaign."), "village")
    households = list(
        Household.objects.subtree_of(village).select_related("area").order_by("area_path", "pk")
    )
    cadre = getattr(actor, "cadre", None) if getattr(actor, "pk", None) else None
    if cadre is not None and _own_paired(cadre.pk, [h.pk for h in households]):
        raise EvaluationError(
            "graded",
            _("You are paired with households here: someone else must issue their codes."),
        )
    issued = [(h, ballots.new_code()) for h in households]
    now = timezone.now()
    BallotCode.objects.bulk_create(
        [
            BallotCode(
                campaign=campaign,
                household=h,
                digest=ballots.digest(code),
                issued_by=actor if getattr(actor, "pk", None) else None,
                issued_at=now,
            )
            for h, code in issued
        ],
        update_conflicts=True,
        unique_fields=["campaign", "household"],
        update_fields=["digest", "issued_by", "issued_at"],
    )
    audit.record(
        actor=actor,
        action="evaluation.ballots_issued",
        obj=campaign,
        data={"area": village.name, "codes": len(issued)},
    )
    return issued


@audit.service
def record_qr_answer(*, ballot: BallotCode, kind: str, subject_id: int, values: dict):
    """A household's answer, from its phone, about one subject its campaign offers it,
    under the ballot code the inspection team gave it.

    Decided: a second answer with the same code **replaces** the first while the campaign
    is open (a household that pressed the wrong button can correct it); nobody else can,
    because nobody else holds the code. The change log records the campaign only — never
    which household answered what.
    """
    campaign, household = ballot.campaign, ballot.household
    if campaign.status != CampaignStatus.OPEN:
        raise EvaluationError("closed", _("This survey has ended."))
    offered = {(k, s.pk): s for k, s in ballot_subjects(campaign, household)}
    subject = offered.get((kind, subject_id))
    if subject is None:
        raise EvaluationError("not_offered", _("This survey does not grade that subject."))
    cadre = subject if kind == "c" else None
    body = subject if kind == "b" else None
    answers = []
    for q in campaign.questionnaire.questions:
        raw = (values.get(q["code"]) or "").strip()
        if q["kind"] == QuestionKind.SCALE:
            allowed = Scale.values if q.get("allow_unknown", True) else Scale.values[:3]
            if raw not in allowed:
                raise EvaluationError("unanswered", _("Please answer every question."), q["code"])
            answers.append((q["code"], raw, ""))
        else:
            answers.append((q["code"], "", raw[:1000]))
    replaced = Response.objects.filter(
        campaign=campaign, household=household, cadre=cadre, subject_area=body, channel=Channel.QR
    ).delete()[0]
    response = Response(
        campaign=campaign, channel=Channel.QR, household=household, cadre=cadre, subject_area=body
    )
    response.place_in(household.area)
    response.save()
    ResponseAnswer.objects.bulk_create(
        ResponseAnswer(response=response, question=code, value=value, text=text)
        for code, value, text in answers
    )
    audit.record(
        actor=None,
        actor_name="public",
        action="evaluation.qr_answer",
        obj=campaign,
        data={"replaced": bool(replaced)},
    )
    return response


@audit.service
def record_results_export(*, actor, campaign: Campaign) -> None:
    """Who downloaded a campaign's results (no personal data in it, but it is published)."""
    audit.record(actor=actor, action="evaluation.results_exported", obj=campaign)


@audit.service
def confirm_commendations(*, actor, campaign: Campaign, top: int = 100):
    """The best ``top`` of the campaign's ranking (一测一考, ties kept together), confirmed by a
    leader: the list is written once, with who confirmed it and when (audited)."""
    from .models import Commendation
    from .scores import scores

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
