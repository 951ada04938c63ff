"""People at province scale for benchmarks: cadres, households, pairings, visits.

Rows are generated in Python and written with PostgreSQL COPY (about 100k rows/s with
the indexes in place); other databases get batched INSERTs, which is enough for the
small numbers the tests use. IDs are assigned here, so visits and their households can
be linked without reading anything back; sequences are reset afterwards. Identity
columns are real: every household has a valid, encrypted, hashed ID number.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from foundation import audit, crypto
from foundation.identity import check_character, mask_id_number, mask_mobile
from liaison.models import (
    CATEGORY_BITS,
    MUST_VISIT_MASK,
    Cadre,
    Household,
    HouseholdCategory,
    Pairing,
    Visit,
    VisitHousehold,
)
from responsibility_areas.models import Area, Level

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
)
GIVEN = "建国华明丽芳强军伟敏静磊洋勇艳杰娟涛超秀英兰桂玉海波平刚霞红梅文斌琴春林云峰志龙"
CHUNK = 100_000


@dataclass(frozen=True)
class Place:
    id: int
    path: str
    county_id: int | None
    township_id: int | None
    code: str


def _places(root: Area) -> tuple[list[Place], dict[int, list[Place]]]:
    """Villages (where households live) and, per township id, the township itself."""
    rows = list(Area.objects.subtree_of(root).values_list("id", "path", "level", "division_code"))
    by_path = {path: (pk, level, code) for pk, path, level, code in rows}
    villages, townships = [], {}
    for pk, path, level, _code in rows:
        if level not in (Level.VILLAGE, Level.COMMUNITY, Level.TOWNSHIP):
            continue
        ancestors = [
            by_path.get(path[:i]) for i in range(Area.steplen, len(path) + 1, Area.steplen)
        ]
        county = next((a[0] for a in ancestors if a and a[1] == Level.COUNTY), None)
        township = next((a[0] for a in ancestors if a and a[1] == Level.TOWNSHIP), None)
        county_code = (
            next((a[2] for a in ancestors if a and a[1] == Level.COUNTY), "") or "530802000000"
        )
        place = Place(pk, path, county, township, county_code[:6])
        if level == Level.TOWNSHIP:
            townships[pk] = [place]
        else:
            villages.append(place)
    return villages, townships


def _copy(model, columns: list[str], rows) -> int:
    """Write ``rows`` (tuples in ``columns`` order) to ``model``'s table; returns the count."""
    table, total = model._meta.db_table, 0
    with connection.cursor() as cursor:
        while batch := list(islice(rows, CHUNK)):
            total += len(batch)
            if connection.vendor == "postgresql":
                buffer = io.StringIO(
                    "".join("\t".join(_tsv(v) for v in row) + "\n" for row in batch)
                )
                cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch
                )
    return total


def _tsv(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _next_id(model) -> int:
    last = model.objects.order_by("-id").values_list("id", flat=True).first()
    return (last or 0) + 1


@audit.service
def seed_people_at_scale(
    *,
    root: Area,
    households: int,
    cadres: int,
    pairings: int,
    visits: int,
    entered_by,
    seed: int = 1,
) -> dict[str, int]:
    """Add that many rows below ``root``; run once per benchmark database."""
    rng = random.Random(seed)
    villages, townships = _places(root)
    if not villages or not townships:
        raise ValueError("seed the area tree first (manage.py seed_scale)")
    now = timezone.now()
    cadre_ids = _cadres(rng, cadres, list(townships.values()))
    household_rows = _households(rng, households, villages, now)
    pairs = _pairings(rng, household_rows, cadre_ids, pairings)
    visit_count = _visits(rng, pairs, visits, entered_by.pk, now)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Cadre, Household, Pairing, Visit, VisitHousehold]
        ):
            cursor.execute(sql)
    counts = {
        "cadres": sum(map(len, cadre_ids.values())),
        "households": len(household_rows),
        "pairings": len(pairs),
        "visits": visit_count,
    }
    audit.record(
        actor=None,
        actor_name="system:seed_scale",
        action="scale.people_seeded",
        area_path=root.path,
        data=counts,
    )
    return counts


def _name(rng) -> str:
    return (
        rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    )


def _cadres(rng, count: int, townships: list[list[Place]]) -> dict[int, list[int]]:
    """Cadres spread over the townships; returns township id -> cadre ids."""
    first = _next_id(Cadre)
    by_township: dict[int, list[int]] = {}
    rows = []
    for i in range(count):
        place = townships[i % len(townships)][0]
        pk = first + i
        by_township.setdefault(place.id, []).append(pk)
        rows.append(
            (
                pk,
                place.id,
                place.path,
                place.county_id,
                place.id,
                _name(rng),
                "township",
                "乡镇人民政府",
                "干部",
                f"19{pk:09d}"[:11],
                "",
                i % 20 == 0,
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
    return by_township


def _households(rng, count: int, villages: list[Place], now) -> list[tuple[int, Place, int]]:
    """Returns (household id, place, categories) for the pairing step."""
    first, born0 = _next_id(Household), date(1940, 1, 1)
    poor, subsistence = (
        CATEGORY_BITS[HouseholdCategory.POOR],
        CATEGORY_BITS[HouseholdCategory.SUBSISTENCE],
    )
    summary = []

    def rows():
        for i in range(count):
            place, pk = villages[i % len(villages)], first + i
            # (birth day, sequence) from i: unique numbers, so the keyed hash stays unique.
            body = f"{place.code}{born0 + timedelta(days=(i // 1000) % 21900):%Y%m%d}{i % 1000:03d}"
            number = body + check_character(body)
            phone = f"13{pk:09d}"[-11:]
            categories = poor if rng.random() < 0.2 else subsistence if rng.random() < 0.1 else 0
            summary.append((pk, place, categories))
            name = _name(rng)
            yield (
                pk,
                place.id,
                place.path,
                place.county_id,
                place.township_id,
                name,
                "",
                crypto.encrypt(number),
                crypto.blind_index(number),
                number[-4:],
                mask_id_number(number),
                mask_mobile(phone),
                crypto.encrypt(phone),
                phone[-4:],
                rng.randint(1, 7),
                "",
                categories,
                rng.random() < 0.08,
                now,
                now,
            )

    _copy(
        Household,
        [
            "id",
            "area_id",
            "area_path",
            "county_id",
            "township_id",
            "head_name",
            "name_initials",
            "id_number_encrypted",
            "id_number_hash",
            "id_last4",
            "id_number_masked",
            "phone_masked",
            "phone_encrypted",
            "phone_last4",
            "members",
            "address",
            "categories",
            "party_member",
            "created_at",
            "updated_at",
        ],
        rows(),
    )
    return summary


def _pairings(rng, households, cadres_by_township, count: int) -> list[tuple]:
    """One pairing per household (1% of must-visit ones left out), extras up to ``count``."""
    first, start = _next_id(Pairing), date(timezone.localdate().year - 1, 3, 1)
    pairs: list[tuple] = []
    extra_share = max(count - len(households), 0) / max(len(households), 1)
    for pk, place, categories in households:
        if categories & MUST_VISIT_MASK and rng.random() < 0.01:
            continue
        cadres = cadres_by_township.get(place.township_id)
        if not cadres:
            continue
        how_many = min(2 if rng.random() < extra_share else 1, len(cadres))
        for cadre in rng.sample(cadres, how_many):
            pairs.append((first + len(pairs), cadre, pk, place))
    _copy_pairings(pairs, start)
    return pairs


def _copy_pairings(pairs, start) -> None:
    # The denormalised columns come from the household's place, known here: no UPDATE pass.
    _copy(
        Pairing,
        [
            "id",
            "cadre_id",
            "household_id",
            "kind",
            "start_date",
            "area_id",
            "area_path",
            "county_id",
            "township_id",
        ],
        (
            (pk, cadre, household, "territorial", start, p.id, p.path, p.county_id, p.township_id)
            for pk, cadre, household, p in pairs
        ),
    )


def _visits(rng, pairs, count: int, entered_by: int, now) -> int:
    first, today = _next_id(Visit), timezone.localdate()
    kinds = ["home", "home", "home", "sitting", "phone"]
    chosen = [pairs[i % len(pairs)] for i in range(count)] if pairs else []
    dates = [today - timedelta(days=rng.randrange(330)) for _ in chosen]

    def visit_rows():
        for i, (_p, cadre, _household, p) in enumerate(chosen):
            yield (
                first + i,
                cadre,
                entered_by,
                dates[i],
                rng.choice(kinds),
                "",
                rng.choice((0, 0, 0, 1)),
                "",
                "",
                "",
                "",
                "",
                "",
                now,
                p.id,
                p.path,
                p.county_id,
                p.township_id,
            )

    _copy(
        Visit,
        [
            "id",
            "cadre_id",
            "entered_by_id",
            "visited_on",
            "kind",
            "place",
            "stay_days",
            "q_basic",
            "q_difficulties",
            "q_wishes",
            "q_cadre_evaluation",
            "q_suggestions",
            "q_development",
            "created_at",
            "area_id",
            "area_path",
            "county_id",
            "township_id",
        ],
        visit_rows(),
    )
    first_link = _next_id(VisitHousehold)
    _copy(
        VisitHousehold,
        ["id", "visit_id", "household_id", "visited_on"],
        (
            (first_link + i, first + i, household, dates[i])
            for i, (_p, _c, household, _t) in enumerate(chosen)
        ),
    )
    return len(chosen)
