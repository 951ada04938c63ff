"""Results of satisfaction campaigns, computed in the database (GROUP BY over the answers).

Rates count the single-choice answers of the campaign's questionnaire and the households'
feedback on the ledger matters a cadre owns: satisfaction is
(满意 + 基本满意) / answers, dissatisfaction is 不满意 / answers; 不了解 counts in neither
(it is not an opinion). "Over one third" is compared in whole numbers — dissatisfied × 3 >
answers — so exactly one third is not over, and no rounding decides a cadre's fate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, ExpressionWrapper, F, FloatField, Q

from responsibility_areas.models import Level

from .models import (
    BallotCode,
    Campaign,
    CampaignStatus,
    EvaluationRule,
    FrozenResult,
    Response,
    ResponseAnswer,
    Scale,
)

# DOMAIN.md §5: 80 participants at county/district level, 100 at township level, with
# grassroots representatives at least 80% and 50% of them.
DEFAULT_RULES = {
    Level.COUNTY: {"min_participants": 80, "min_grassroots_percent": 80},
    Level.TOWNSHIP: {"min_participants": 100, "min_grassroots_percent": 50},
}


def rule_for(area, rules: dict | None = None) -> EvaluationRule:
    """The rule of the campaign's level (the nearest level with a rule, else the default).
    ``rules``: the stored rules by level, when the caller read them once for many."""
    if rules is None:
        rules = {r.level: r for r in EvaluationRule.objects.all()}
    if area.level in rules:
        return rules[area.level]
    defaults = DEFAULT_RULES.get(area.level, DEFAULT_RULES[Level.TOWNSHIP])
    return EvaluationRule(level=area.level, **defaults)


@dataclass
class Validity:
    participants: int
    grassroots: int
    rule: EvaluationRule
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def grassroots_percent(self) -> float:
        return 100 * self.grassroots / self.participants if self.participants else 0.0


# Who took part: one participant per household, or per paper sheet without one; the
# grassroots representatives among them. The one definition (campaigns and the boards).
_ANONYMOUS = Q(household__isnull=True)
_PARTICIPANT_COUNTS = {
    "households": Count("household", distinct=True),
    "papers": Count("id", filter=_ANONYMOUS),
    "grassroots_households": Count("household", distinct=True, filter=Q(grassroots=True)),
    "grassroots_papers": Count("id", filter=_ANONYMOUS & Q(grassroots=True)),
}


def _participants(row: dict) -> tuple[int, int]:
    return (
        row.get("households", 0) + row.get("papers", 0),
        row.get("grassroots_households", 0) + row.get("grassroots_papers", 0),
    )


def participants_of(responses) -> tuple[int, int]:
    """(participants, grassroots representatives) among ``responses``."""
    return _participants(responses.order_by().aggregate(**_PARTICIPANT_COUNTS))


def campaign_validity(campaign: Campaign) -> Validity:
    """Participant rules, checked live: who took part (one participant per household, or per
    paper questionnaire without one) and the grassroots share, against the level's rule."""
    return campaign_validities([campaign])[campaign.pk]


def campaign_validities(campaigns) -> dict[int, Validity]:
    """:func:`campaign_validity` of each campaign (with its ``area``), by primary key: the
    counts in one query grouped by campaign, the rules read once — a page of campaigns
    costs two queries, not four per campaign."""
    campaigns = list(campaigns)
    if not campaigns:
        return {}
    counts = {
        row.pop("campaign"): row
        for row in Response.objects.filter(campaign__in=campaigns)
        .order_by()
        .values("campaign")
        .annotate(**_PARTICIPANT_COUNTS)
    }
    rules = {r.level: r for r in EvaluationRule.objects.all()}
    result = {}
    for campaign in campaigns:
        row = counts.get(campaign.pk, {})
        participants, grassroots = _participants(row)
        if campaign.frozen_at is not None:  # closed: as it stood when it closed
            participants, grassroots = campaign.frozen_participants, campaign.frozen_grassroots
        result[campaign.pk] = _checked(participants, grassroots, rule_for(campaign.area, rules))
    return result


def _checked(participants: int, grassroots: int, rule: EvaluationRule) -> Validity:
    from django.utils.translation import gettext as _

    result = Validity(participants, grassroots, rule)
    if participants < rule.min_participants:
        result.problems.append(
            _("%(n)d participants, at least %(min)d needed (%(short)d short).")
            % {
                "n": participants,
                "min": rule.min_participants,
                "short": rule.min_participants - participants,
            }
        )
    # grassroots / participants >= percent / 100, in whole numbers.
    if participants and grassroots * 100 < rule.min_grassroots_percent * participants:
        needed = -(-rule.min_grassroots_percent * participants // 100)
        result.problems.append(
            _(
                "Grassroots representatives are %(share).1f%% of the participants, at least "
                "%(min)d%% needed (%(short)d more)."
            )
            % {
                "share": result.grassroots_percent,
                "min": rule.min_grassroots_percent,
                "short": needed - grassroots,
            }
        )
    return result


def _tallies(answers, by: str):
    scale = answers.exclude(value="").exclude(value=Scale.UNKNOWN)
    return (
        scale.values(by)
        .order_by()
        .annotate(
            answers=Count("id"),
            satisfied=Count("id", filter=Q(value=Scale.SATISFIED)),
            fairly=Count("id", filter=Q(value=Scale.FAIRLY)),
            dissatisfied=Count("id", filter=Q(value=Scale.DISSATISFIED)),
            respondents=Count("response", distinct=True),
        )
    )


@dataclass
class Result:
    subject_id: int
    answers: int
    satisfied: int
    fairly: int
    dissatisfied: int
    respondents: int
    rule: EvaluationRule

    @property
    def satisfaction(self) -> float:
        return (self.satisfied + self.fairly) / self.answers if self.answers else 0.0

    @property
    def dissatisfaction(self) -> float:
        return self.dissatisfied / self.answers if self.answers else 0.0

    @property
    def over_threshold(self) -> bool:
        """Strictly over the rule's fraction (1/3 by default), in whole numbers."""
        rule = self.rule
        return (
            self.dissatisfied * rule.threshold_denominator > self.answers * rule.threshold_numerator
        )

    @property
    def under_target(self) -> bool:
        return (
            self.satisfied + self.fairly
        ) * 100 < self.rule.service_target_percent * self.answers


def matter_feedback_by_owner(viewer, campaign: Campaign):
    """The households' feedback on the ledger matters each cadre owns (3c of issue 11).

    Decided: a matter counts in a campaign when it was received within the campaign's
    period in its subtree and its household's feedback is recorded — 满意 and 基本满意 as
    recorded at close-out, 不满意 as recorded when it sent the matter back (the matter keeps
    the household's latest word). One matter, one answer, for its first-visit owner — and
    only when someone other than its owner and handler collected it (issue 21).
    """
    from grievances.models import Matter, Satisfaction

    return (
        Matter.objects.visible_to(viewer)
        .filter(
            area_path__startswith=campaign.area_path,
            received_on__gte=campaign.period_start,
            received_on__lte=campaign.period_end,
            # Only feedback someone else collected counts (a return call, a reporter, the
            # household itself): never the owner's or handler's own word.
            feedback_by__isnull=False,
        )
        .exclude(satisfaction="")
        .exclude(feedback_by__cadre=F("owner"))
        .exclude(feedback_by__cadre=F("handler"))
        .values("owner")
        .order_by()
        .annotate(
            answers=Count("id"),
            satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            fairly=Count("id", filter=Q(satisfaction=Satisfaction.BASICALLY)),
            dissatisfied=Count("id", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
        )
    )


def _frozen(viewer, campaign: Campaign, *, cadres: bool) -> list[Result]:
    rule = rule_for(campaign.area)
    rows = FrozenResult.objects.visible_to(viewer).filter(
        campaign=campaign, cadre__isnull=not cadres, subject_area__isnull=cadres, answers__gt=0
    )
    field = "cadre_id" if cadres else "subject_area_id"
    values = rows.values(field, "answers", "satisfied", "fairly", "dissatisfied", "respondents")
    return sorted(
        (_result(r, field, rule) for r in values),
        key=lambda r: (-r.dissatisfaction, r.subject_id),
    )


def _result(row: dict, key: str, rule) -> Result:
    return Result(
        row[key],
        row["answers"],
        row["satisfied"],
        row["fairly"],
        row["dissatisfied"],
        row["respondents"],
        rule,
    )


def results_by_cadre(viewer, campaign: Campaign) -> list[Result]:
    """Per graded cadre: counts and rates over the answers ``viewer`` may see, the
    questionnaires (QR, paper) and the feedback on the matters they own together. A closed
    campaign answers with what it stored when it closed (the subjects ``viewer`` sees)."""
    if campaign.frozen_at is not None:
        return _frozen(viewer, campaign, cadres=True)
    answers = ResponseAnswer.objects.visible_to(viewer).filter(
        response__campaign=campaign, response__cadre__isnull=False
    )
    rule = rule_for(campaign.area)
    results: dict[int, Result] = {}
    for r in _tallies(answers, "response__cadre"):
        results[r["response__cadre"]] = _result(r, "response__cadre", rule)
    if campaign.covers_cadres:
        for r in matter_feedback_by_owner(viewer, campaign):
            result = results.setdefault(r["owner"], Result(r["owner"], 0, 0, 0, 0, 0, rule))
            result.answers += r["answers"]
            result.satisfied += r["satisfied"]
            result.fairly += r["fairly"]
            result.dissatisfied += r["dissatisfied"]
            result.respondents += r["answers"]
    return sorted(results.values(), key=lambda r: (-r.dissatisfaction, r.subject_id))


def results_by_leading_body(viewer, campaign: Campaign) -> list[Result]:
    """Per graded area (its leading body): counts and rates over what ``viewer`` may see."""
    if campaign.frozen_at is not None:
        return _frozen(viewer, campaign, cadres=False)
    answers = ResponseAnswer.objects.visible_to(viewer).filter(
        response__campaign=campaign, response__subject_area__isnull=False
    )
    rule = rule_for(campaign.area)
    rows = _tallies(answers, "response__subject_area")
    return [_result(r, "response__subject_area", rule) for r in rows]


def ranking(viewer, campaigns, limit: int | None = None) -> list[dict]:
    """Cadres across ``campaigns`` (a city's or the province's year), best satisfaction
    first: one GROUP BY over the answers ``viewer`` may see; ties share the order of their
    answers count. Returns dicts (cadre, answers, satisfied_or_fairly, dissatisfied)."""
    answers = (
        ResponseAnswer.objects.visible_to(viewer)
        .filter(response__campaign__in=campaigns, response__cadre__isnull=False)
        .exclude(value="")
        .exclude(value=Scale.UNKNOWN)
    )
    rows = (
        answers.values("response__cadre")
        .order_by()
        .annotate(
            answers=Count("id"),
            good=Count("id", filter=Q(value__in=[Scale.SATISFIED, Scale.FAIRLY])),
            dissatisfied=Count("id", filter=Q(value=Scale.DISSATISFIED)),
        )
        .annotate(rate=ExpressionWrapper(F("good") * 1.0 / F("answers"), output_field=FloatField()))
        .order_by("-rate", "-answers", "response__cadre")
    )
    return list(rows[:limit] if limit else rows)


def ballot_subjects(campaign: Campaign, household) -> list[tuple[str, object]]:
    """Whom ``household`` grades in ``campaign``: ``[("c", cadre), ("b", village)]`` — its
    paired cadres when the campaign grades cadres, its own village's (or community's)
    leading body when it grades leading bodies. The form shows exactly these and the answer
    is refused for anything else."""
    from liaison.models import Pairing
    from responsibility_areas.models import Level

    subjects: list[tuple[str, object]] = []
    if campaign.covers_cadres:
        pairings = Pairing.objects.active().filter(household=household).select_related("cadre")
        subjects += [("c", p.cadre) for p in pairings.order_by("cadre__name", "cadre_id")]
    if campaign.covers_leading_bodies:
        village = household.area.nearest([Level.VILLAGE, Level.COMMUNITY])
        if village is not None and village.path.startswith(campaign.area_path):
            subjects.append(("b", village))
    return subjects


def ballot_for(typed_code: str, today=None) -> BallotCode | None:
    """The ballot a typed code opens: an open campaign's, within its period; else None
    (unknown, voided by a new issue, or the campaign not open — all said the same way)."""
    from django.utils import timezone

    from . import ballots

    code = ballots.normalised(typed_code)
    if not code:
        return None
    today = today or timezone.localdate()
    return (
        BallotCode.objects.filter(
            digest=ballots.digest(code),
            campaign__status=CampaignStatus.OPEN,
            campaign__period_start__lte=today,
            campaign__period_end__gte=today,
        )
        .select_related("campaign__questionnaire", "household__area")
        .first()
    )


def cases_for(viewer):
    """Accountability cases ``viewer`` may read: in scope, and either where their role
    approves, supervises or runs evaluations, or their own case — a cadre-only user reads
    only the case about themselves (issue 21)."""
    from django.db.models import Q

    from responsibility_areas.permissions import Action, paths_granting

    from .models import AccountabilityCase

    cases = AccountabilityCase.objects.visible_to(viewer)
    paths = paths_granting(viewer, Action.APPROVE, Action.SUPERVISE, Action.EVALUATE)
    if paths is None:
        return cases
    allowed = Q(cadre__user=viewer) if getattr(viewer, "pk", None) else Q(pk__in=[])
    for path in paths:
        allowed |= Q(area_path__startswith=path)
    return cases.filter(allowed)


def answers_count_of_household(viewer, household) -> int:
    """How many survey answers a household gave (only how many — never what, never whom
    about), where ``viewer`` sees the household."""
    from foundation import scoping

    if not scoping.sees(viewer, household.area_path):
        return 0
    return Response.objects.filter(household=household).count()
