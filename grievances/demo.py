"""Demo ledger for 思茅区: a year of matters in every state, through the services.

The diaries seeded by ``liaison.demo`` already put their unsolved matters in the ledger
(``record_visit`` does it); here they are moved along — started, resolved, explained,
closed out, reopened, reported up, escalated when overdue — dated back to when it would
have happened, and the monthly ledger is rolled up for the past year. Idempotent: a
county whose matters have moved on already is left as it is.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from liaison.models import Cadre, Household, MatterKind, Visit

from . import services
from .models import Matter, MatterEvent, MatterSource, MatterStatus, Satisfaction

FEEDBACK = {
    Satisfaction.SATISFIED: "问题已解决，很满意",
    Satisfaction.BASICALLY: "基本解决了",
    Satisfaction.DISSATISFIED: "还没有真正解决",
}


def seed_ledger(county, demo_users: dict) -> dict[str, int]:
    """Move the county's registered matters through the ledger; roll up twelve months."""
    for visit in (
        Visit.objects.subtree_of(county)
        .filter(matters__solved_on_spot=False, matters__ledger_matter__isnull=True)
        .distinct()
    ):
        services.ledger_visit_matters(actor=None, visit=visit)
    matters = Matter.objects.subtree_of(county)
    if not matters.exclude(status=MatterStatus.REGISTERED).exists():
        rng = random.Random(f"ledger-{county.pk}")
        admin = demo_users["admin"]
        _other_sources(county, demo_users)
        for matter in matters.select_related("owner__user").order_by("received_on", "pk"):
            _advance(rng, matter, admin)
        services.escalate_overdue_matters()
    today = timezone.localdate()
    for back in range(12):
        month = (today.replace(day=1) - timedelta(days=back * 28)).replace(day=1)
        services.rollup_ledger(month=month)
    return {"ledger matters": matters.count()}


def _advance(rng: random.Random, matter: Matter, admin) -> None:
    """Pick a fate by age: old matters are mostly closed out, recent ones still open."""
    age = (timezone.localdate() - matter.received_on).days
    roll = rng.random()
    if age < 10 or roll < 0.08:
        return  # registered (and, if overdue, escalated by the sweep)
    matter = services.start_work(actor=admin, matter=matter)
    if roll < 0.16 or (matter.owner.user_id and matter.source == MatterSource.HOTLINE):
        if matter.owner.user_id:
            services.report_up(
                actor=matter.owner.user, matter=matter, reason="村级无法协调，需乡镇统筹解决"
            )
        return
    if age < 25 or roll < 0.24:
        return  # in progress
    explained = roll < 0.36
    if explained:
        matter = services.explain(
            actor=admin, matter=matter, explanation="不符合现行政策，已向农户当面解释并告知申请条件"
        )
    else:
        matter = services.resolve(actor=admin, matter=matter, resolution="已协调相关部门解决")
    done_after = rng.randint(3, min(age - 1, 45))
    if age - done_after < 7 or roll < 0.30 or 0.36 <= roll < 0.46:
        _backdate(matter, done_after, None)
        return  # waiting for feedback and close-out
    satisfaction = rng.choice(
        [Satisfaction.SATISFIED] * 6 + [Satisfaction.BASICALLY] * 3 + [Satisfaction.DISSATISFIED]
    )
    matter = services.close_out(
        actor=admin, matter=matter, feedback=FEEDBACK[satisfaction], satisfaction=satisfaction
    )
    if matter.status == MatterStatus.CLOSED_OUT:
        _backdate(matter, done_after, done_after + rng.randint(2, 6))


def _backdate(matter: Matter, done_after: int, closed_after: int | None) -> None:
    """Date the resolution (and close-out) when it would have happened, not today."""
    resolved_on = matter.received_on + timedelta(days=done_after)
    changes = {"resolved_on": resolved_on, "days_to_resolve": done_after}
    if closed_after is not None:
        changes["closed_on"] = min(
            matter.received_on + timedelta(days=closed_after), timezone.localdate()
        )
    Matter.objects.filter(pk=matter.pk).update(**changes)
    MatterEvent.objects.filter(matter=matter).exclude(action="filed").update(
        at=F("at") - (timezone.localdate() - resolved_on)
    )


OTHER = [
    (MatterSource.HOTLINE, MatterKind.DIFFICULTY, "就业", "返乡人员希望就近务工", 200),
    (MatterSource.HOTLINE, MatterKind.DIFFICULTY, "社保", "新农合缴费记录缺失", 40),
    (MatterSource.MAILBOX, MatterKind.CADRE_STYLE, "作风", "反映窗口办事态度不好", 120),
    (MatterSource.SYMPOSIUM, MatterKind.SUGGESTION, "产业", "建议建设茶叶初制所", 300),
    (MatterSource.DUTY_DAY, MatterKind.SHORTCOMING, "饮水", "水池清洗不及时", 15),
    (MatterSource.SUPERVISION, MatterKind.SHORTCOMING, "道路", "进组道路养护不到位", 70),
]


def _other_sources(county, demo_users: dict) -> None:
    """Matters of the demo cadre (刘强, who can log in) from the other sources."""
    cadre = Cadre.objects.filter(user=demo_users["cadre"]).first()
    if cadre is None:
        return
    households = list(Household.objects.filter(township_id=cadre.area_id).order_by("pk")[:6])
    today = timezone.localdate()
    for household, (source, kind, topic, text, age) in zip(households, OTHER, strict=False):
        services.file_matter(
            actor=demo_users["clerk"],
            owner=cadre,
            applicant=household,
            description=text,
            kind=kind,
            topic=topic,
            source=source,
            received_on=today - timedelta(days=age),
        )
