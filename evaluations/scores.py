"""一测一考: a cadre's yearly score from the work record (exam) and the satisfaction (test).

Set-based: the work record comes from one annotated query over the cadres of the campaign's
subtree (visits and quotas as on the quota page, matters owned and resolved on time,
commitments fulfilled), the test from the campaign's results; the formula is shown beside
every score. Ranks are competition ranks (1, 1, 3): equal scores share a rank.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from liaison.models import Cadre, Commitment, CommitmentStatus
from liaison.selectors import with_quota_progress

from .models import Campaign, ScoreWeights
from .selectors import results_by_cadre


def weights_for(area) -> ScoreWeights:
    return ScoreWeights.objects.filter(level=area.level).first() or ScoreWeights(level=area.level)


@dataclass
class Score:
    cadre_id: int
    name: str
    exam: float  # 0..100
    test: float | None  # 0..100, None when nobody graded the cadre
    score: float
    parts: dict  # part -> (done, quota)
    rank: int = 0


def _count(queryset, **filters):
    rows = queryset.filter(**filters).order_by().values("owner").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(rows[:1], output_field=IntegerField()), Value(0))


def scores(viewer, campaign: Campaign, year: int | None = None) -> list[Score]:
    """Scores of the cadres of the campaign's subtree that ``viewer`` may see, best first;
    a closed campaign's as stored when it closed."""
    from grievances.models import Matter

    if campaign.frozen_at is not None:
        return _stored(viewer, campaign)

    year = year or campaign.period_end.year
    weights = weights_for(campaign.area)
    owned = Matter.objects.filter(owner=OuterRef("pk"), received_on__year=year)
    resolved = owned.filter(resolved_on__isnull=False)
    commitments = Commitment.objects.filter(cadre=OuterRef("pk"), year=year)
    cadres = with_quota_progress(
        Cadre.objects.visible_to(viewer).subtree_of(campaign.area), year
    ).annotate(
        matters_done=_count(resolved),
        matters_on_time=_count(resolved, resolved_on__lte=F("deadline")),
        promised=Coalesce(
            Subquery(
                commitments.order_by().values("cadre").annotate(n=Count("id")).values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        fulfilled=Coalesce(
            Subquery(
                commitments.filter(status=CommitmentStatus.FULFILLED)
                .order_by()
                .values("cadre")
                .annotate(n=Count("id"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )
    tests = {r.subject_id: r for r in results_by_cadre(viewer, campaign)}
    out = []
    for cadre in cadres:
        parts = {
            "contacts": (cadre.contacts, cadre.quota_contacts, weights.contacts_points),
            "visits": (cadre.visits_in, cadre.quota_visits, weights.visits_points),
            "stay": (cadre.stay_days_sum, cadre.quota_stay, weights.stay_points),
            "matters": (cadre.matters_on_time, cadre.matters_done, weights.matters_points),
            "commitments": (cadre.fulfilled, cadre.promised, weights.commitments_points),
        }
        counted = {k: v for k, v in parts.items() if v[1]}
        points = sum(p for _d, _q, p in counted.values())
        exam = (
            100 * sum(p * min(1.0, d / q) for d, q, p in counted.values()) / points
            if points
            else 0.0
        )
        result = tests.get(cadre.pk)
        test = 100 * result.satisfaction if result and result.answers else None
        share = weights.exam_percent / 100
        score = exam * share + (test if test is not None else 0.0) * (1 - share)
        out.append(
            Score(
                cadre.pk,
                cadre.name,
                round(exam, 1),
                round(test, 1) if test is not None else None,
                round(score, 1),
                {k: (d, q) for k, (d, q, _p) in parts.items()},
            )
        )
    out.sort(key=lambda s: (-s.score, s.name, s.cadre_id))
    previous, rank = None, 0
    for position, item in enumerate(out, start=1):
        if item.score != previous:
            rank, previous = position, item.score
        item.rank = rank
    return out


def _stored(viewer, campaign: Campaign) -> list[Score]:
    from .models import FrozenResult

    rows = (
        FrozenResult.objects.visible_to(viewer)
        .filter(campaign=campaign, cadre__isnull=False, score__isnull=False)
        .order_by("rank", "name", "cadre_id")
    )
    return [
        Score(
            r.cadre_id,
            r.name,
            r.exam,
            r.test,
            r.score,
            {k: tuple(v) for k, v in r.parts.items()},
            r.rank,
        )
        for r in rows
    ]


def formula(weights: ScoreWeights) -> str:
    """The formula in words, shown beside every score."""
    return _(
        "Score = exam × %(exam)d%% + satisfaction × %(test)d%%. Exam: contacts %(contacts)d "
        "points, home visits %(visits)d, days lived in villages %(stay)d, matters resolved on "
        "time %(matters)d, commitments fulfilled %(commitments)d; each as done ÷ target "
        "(at most 100%%); a part without a target is left out."
    ) % {
        "exam": weights.exam_percent,
        "test": 100 - weights.exam_percent,
        "contacts": weights.contacts_points,
        "visits": weights.visits_points,
        "stay": weights.stay_points,
        "matters": weights.matters_points,
        "commitments": weights.commitments_points,
    }


__all__ = ["Score", "formula", "scores", "weights_for"]
