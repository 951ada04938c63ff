"""Answers: paper batches typed by a clerk, ballot codes issued by the inspection team,
and the household's own answer under its code."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from foundation import audit, locks
from foundation.identity import person_name
from liaison.models import Cadre, Household
from responsibility_areas.models import Area
from responsibility_areas.permissions import Action

from .. import ballots
from ..models import (
    SCALE_DIGITS,
    BallotCode,
    Campaign,
    CampaignStatus,
    Channel,
    PaperBatch,
    QuestionKind,
    Response,
    ResponseAnswer,
    Scale,
)
from ..selectors import (
    ballot_subjects,
)
from ._base import EvaluationError, _allowed, _in_scope, _own_paired

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
        "who": person_name(batch.entered_by) if batch.entered_by else "—",
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
    campaign = locks.lock_one(Campaign.objects.filter(pk=campaign.pk))
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
