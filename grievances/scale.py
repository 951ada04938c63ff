"""Ledger matters at province scale for benchmarks, written with COPY (batched INSERTs elsewhere).

Matters sit in villages, are owned by a cadre of their township and handled at the
village, township or county level. About three in four are open, with deadlines spread
so that about one open matter in ten is past its deadline when seeded (what an hourly
sweep finds after a long pause); the rest are resolved, explained or closed out.
Cadres and responsible persons are added only if the database has none (areas-only seeds).
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from foundation import audit
from liaison.models import Cadre, Duty, MatterKind, ResponsibilityAssignment
from liaison.scale import _copy, _next_id, _places
from responsibility_areas.models import Area, Level

from .models import Matter, MatterCounter, MatterSource

TEXTS = [
    "房屋漏雨，申请危房改造",
    "自来水压力不足",
    "希望硬化进组道路",
    "医保报销慢",
    "反映干部办事拖拉",
    "建议发展茶叶加工",
    "低保评定有异议",
    "灌溉沟渠堵塞",
]


def _ensure_cadres(townships) -> dict[int, int]:
    """township id -> one cadre id of it (added when the township has none)."""
    have = {
        t: pk
        for pk, t in Cadre.objects.filter(township_id__in=list(townships)).values_list(
            "pk", "township_id"
        )
    }
    first, rows = _next_id(Cadre), []
    for i, (tid, (place,)) in enumerate(
        sorted((t, p) for t, p in townships.items() if t not in have)
    ):
        pk = first + i
        have[tid] = pk
        rows.append(
            (
                pk,
                tid,
                place.path,
                place.county_id,
                tid,
                f"干部{pk}",
                "township",
                "乡镇人民政府",
                "干部",
                f"16{pk:09d}"[:11],
                "",
                True,
            )
        )
    _copy(
        Cadre,
        [
            "id",
            "area_id",
            "area_path",
            "county_id",
            "township_id",
            "name",
            "rank",
            "unit",
            "post",
            "phone",
            "duties",
            "is_leading",
        ],
        iter(rows),
    )
    return have


def _ensure_responsible(root: Area, cadre_of_township: dict[int, int], today) -> None:
    """One responsible cadre per township and above-village area, if nobody is responsible yet."""
    if ResponsibilityAssignment.objects.exists():
        return
    areas = Area.objects.subtree_of(root).exclude(level=Level.GROUP).values_list("id", "path")
    township_paths = {p.path: tid for tid, (p,) in _places(root)[1].items()}
    first_under: dict[str, int] = {}
    for path, tid in sorted(township_paths.items()):
        for i in range(Area.steplen, len(path) + 1, Area.steplen):
            first_under.setdefault(path[:i], cadre_of_township[tid])
    rows, pk = [], _next_id(ResponsibilityAssignment)
    for area_id, path in areas:
        township = next(
            (
                township_paths[path[:i]]
                for i in range(len(path), 0, -Area.steplen)
                if path[:i] in township_paths
            ),
            None,
        )
        cadre = cadre_of_township.get(township) if township else first_under.get(path)
        if cadre is None:
            continue
        rows.append((pk, area_id, path, None, township, cadre, Duty.RESPONSIBLE, today, None))
        pk += 1
    _copy(
        ResponsibilityAssignment,
        [
            "id",
            "area_id",
            "area_path",
            "county_id",
            "township_id",
            "cadre_id",
            "duty",
            "start_date",
            "end_date",
        ],
        iter(rows),
    )


@audit.service
def seed_matters_at_scale(*, root: Area, matters: int, seed: int = 4) -> dict[str, int]:
    """Add ``matters`` ledger matters below ``root`` (run once per benchmark database)."""
    rng = random.Random(seed)
    villages, townships = _places(root)
    if not villages:
        raise ValueError("seed the area tree first (manage.py seed_scale)")
    today, now = timezone.localdate(), timezone.now()
    cadre_of = _ensure_cadres(townships)
    _ensure_responsible(root, cadre_of, today)
    township_path = {tid: p.path for tid, (p,) in townships.items()}
    county_path = {p.county_id: p.path[: -Area.steplen] for (p,) in townships.values()}
    responsible = dict(
        ResponsibilityAssignment.objects.filter(duty=Duty.RESPONSIBLE).values_list(
            "area_path", "cadre_id"
        )
    )
    path_ids = dict(
        Area.objects.subtree_of(root).exclude(level=Level.GROUP).values_list("path", "id")
    )
    counters: dict[str, int] = dict(
        MatterCounter.objects.filter(year=today.year).values_list("county_code", "last")
    )
    first = _next_id(Matter)
    kinds, sources = MatterKind.values, MatterSource.values

    def rows():
        for i in range(matters):
            place = villages[rng.randrange(len(villages))]
            roll = rng.random()
            level, hpath = (
                ("village", place.path)
                if roll < 0.6
                else ("township", township_path[place.township_id])
                if roll < 0.9
                else ("county", county_path[place.county_id])
            )
            received = today - timedelta(days=rng.randrange(365))
            done = rng.random() < 0.25
            if done:
                status = rng.choice(["resolved", "explained", "closed_out", "closed_out"])
                outcome = "explained" if status == "explained" else "resolved"
                took = rng.randint(2, 40)
                resolved_on = min(received + timedelta(days=took), today)
                deadline = received + timedelta(days=15)
            else:
                status = rng.choice(["registered", "in_progress", "in_progress", "reported_up"])
                outcome, took, resolved_on = "", None, None
                deadline = today + timedelta(days=rng.randint(-6, 54))
            counters[place.code] = counters.get(place.code, 0) + 1
            number = f"{place.code}-{today.year}-{counters[place.code]:06d}"
            closed = resolved_on + timedelta(days=3) if status == "closed_out" else None
            yield (
                first + i,
                place.id,
                place.path,
                place.county_id,
                place.township_id,
                number,
                None,
                "王某",
                rng.choice(TEXTS),
                rng.choice(kinds),
                "",
                rng.choice(sources),
                received,
                cadre_of[place.township_id],
                level,
                path_ids[hpath],
                hpath,
                responsible.get(hpath),
                deadline,
                status,
                0,
                None,
                None,
                outcome,
                "",
                "",
                resolved_on,
                took if done else None,
                "",
                "",
                closed if closed and closed <= today else None,
                None,
                None,
                "",
                None,
                1,
                None,
                now,
                now,
            )

    count = _copy(
        Matter,
        [
            "id",
            "area_id",
            "area_path",
            "county_id",
            "township_id",
            "number",
            "applicant_id",
            "applicant_name",
            "description",
            "kind",
            "topic",
            "source",
            "received_on",
            "owner_id",
            "level",
            "handling_area_id",
            "handling_path",
            "handler_id",
            "deadline",
            "status",
            "escalation_count",
            "escalated_at",
            "reminded_for_deadline",
            "outcome",
            "resolution",
            "explanation",
            "resolved_on",
            "days_to_resolve",
            "feedback",
            "satisfaction",
            "closed_on",
            "closed_by_id",
            "feedback_by_id",
            "feedback_channel",
            "visit_matter_id",
            "version",
            "created_by_id",
            "created_at",
            "updated_at",
        ],
        rows(),
    )
    MatterCounter.objects.bulk_create(
        [
            MatterCounter(county_code=code, year=today.year, last=last)
            for code, last in counters.items()
        ],
        update_conflicts=True,
        unique_fields=["county_code", "year"],
        update_fields=["last"],
    )
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Cadre, ResponsibilityAssignment, Matter]
        ):
            cursor.execute(sql)
    audit.record(
        actor=None,
        actor_name="system:seed_scale",
        action="scale.matters_seeded",
        area_path=root.path,
        data={"matters": count},
    )
    return {"matters": count}
