"""Demo people for 思茅区: cadres, households, responsibility, pairings, a year of visits.

Deterministic and idempotent (cadres match by phone, households by ID number,
pairings by cadre+household; visits and commitments are written only once). About one
household in five is paired, most must-visit households among them, and a few
must-visit households are left out so the coverage check has something to show.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from foundation.identity import check_character
from liaison import services
from liaison.models import (
    Cadre,
    Commitment,
    Duty,
    HouseholdCategory,
    Pairing,
    PairingKind,
    Rank,
    Visit,
    VisitKind,
)
from responsibility_areas.models import Area, Level

ACTOR = "system:seed_demo"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段章钱汤尹黎易常武乔贺赖龚文"
GIVEN = "建国华明丽芳强军伟敏静磊洋勇艳杰娟涛超秀英兰桂玉海波平刚霞红梅文斌琴春林云峰志龙"
HOUSEHOLDS_PER_VILLAGE = 20
NOTES = [
    "家中两人外出务工，一个孩子上初中。",
    "老人患慢性病，需定期买药。",
    "希望发展茶叶种植。",
    "对村干部工作比较满意。",
    "建议修缮村内道路。",
    "打算扩大咖啡种植面积。",
]
MATTERS_SOLVED = [("difficulty", "医疗", "医保报销流程不清楚", "当场讲解报销流程")]
MATTERS_LEDGER = [
    ("difficulty", "住房", "房屋漏雨，申请危房改造"),
    ("suggestion", "道路", "希望硬化进组道路"),
    ("difficulty", "饮水", "自来水压力不足"),
    ("cadre_style", "作风", "反映村组干部办事拖拉"),
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "151", "187", "188"]) + f"{rng.randrange(10**8):08d}"


def _id_number(rng: random.Random, county_code: str, seq: int) -> str:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 60))
    body = f"{county_code}{born:%Y%m%d}{seq % 1000:03d}"
    return body + check_character(body)


def _categories(rng: random.Random) -> list[str]:
    roll = rng.random()
    table = [
        (0.08, [HouseholdCategory.POOR]),
        (0.11, [HouseholdCategory.SUBSISTENCE]),
        (0.12, [HouseholdCategory.FIVE_GUARANTEE]),
        (0.13, [HouseholdCategory.PETITIONING]),
        (0.15, [HouseholdCategory.DISABLED, HouseholdCategory.POOR]),
        (0.19, [HouseholdCategory.LEFT_BEHIND]),
        (0.20, [HouseholdCategory.MAJOR_ILLNESS]),
    ]
    return next((cats for limit, cats in table if roll < limit), [])


def seed_people(county: Area, demo_users: dict) -> dict[str, int]:
    rng = random.Random(county.division_code)
    townships = list(Area.objects.subtree_of(county).filter(level=Level.TOWNSHIP))
    cadres_by_township = {t.pk: _ensure_cadres(rng, t, demo_users) for t in townships}
    households = _ensure_households(rng, county)
    _assign_responsibility(rng, townships, cadres_by_township)
    pairs = _pairings(rng, households, cadres_by_township)
    services.bulk_pair(actor=None, actor_name=ACTOR, pairs=pairs)
    _visits(rng, county, pairs, _typists(demo_users))
    _commitments(rng, [c for cs in cadres_by_township.values() for c in cs])
    # Totals in the county (a second run creates nothing and reports the same figures).
    return {
        "cadres": Cadre.objects.subtree_of(county).count(),
        "households": len(households),
        "pairings": Pairing.objects.subtree_of(county).active().count(),
        "visits": Visit.objects.subtree_of(county).count(),
        "commitments": Commitment.objects.subtree_of(county).count(),
    }


def _ensure_cadres(rng, township: Area, demo_users: dict) -> list[Cadre]:
    specs = [("党委书记", Rank.TOWNSHIP, True), ("镇长", Rank.TOWNSHIP, True)]
    specs += [("干部", Rank.TOWNSHIP, False)] * 6
    cadres = []
    for i, (post, rank, leading) in enumerate(specs):
        name, phone = _name(rng), _phone(rng)
        user = None
        if township.division_code.endswith("101000") and i == 2:
            user, name = demo_users.get("cadre"), "刘强"  # the demo cadre login
        cadre = Cadre.objects.filter(phone=phone).first() or services.register_cadre(
            actor=None,
            area=township,
            name=name,
            rank=rank,
            unit=f"{township.name}人民政府",
            post=post,
            phone=phone,
            duties="联系群众、收集民情、协调解决困难",
            is_leading=leading,
            user=user,
        )
        cadres.append(cadre)
    return cadres


def _ensure_households(rng, county: Area) -> list:
    villages = Area.objects.subtree_of(county).filter(level__in=[Level.VILLAGE, Level.COMMUNITY])
    groups = {}
    for group in Area.objects.subtree_of(county).filter(level=Level.GROUP):
        groups.setdefault(group.path[: -Area.steplen], []).append(group)
    prepared, seq = [], 0
    for village in villages:
        for _ in range(HOUSEHOLDS_PER_VILLAGE):
            seq += 1
            area = rng.choice(groups.get(village.path) or [village])
            prepared.append(
                services.prepared_household(
                    area=area,
                    head_name=_name(rng),
                    id_number=_id_number(rng, county.division_code[:6], seq),
                    phone=_phone(rng) if rng.random() < 0.8 else "",
                    members=rng.randint(1, 7),
                    address=f"{village.name}{rng.randint(1, 99)}号",
                    categories=_categories(rng),
                    party_member=rng.random() < 0.08,
                )
            )
    services.bulk_register_households(actor=None, actor_name=ACTOR, households=prepared)
    from liaison.models import Household

    return list(Household.objects.subtree_of(county).select_related("area").order_by("id"))


def _assign_responsibility(rng, townships, cadres_by_township) -> None:
    for township in townships:
        cadres = cadres_by_township[township.pk]
        services.assign_responsibility(
            actor=None,
            area=township,
            cadre=cadres[0],
            duty=Duty.RESPONSIBLE,
            start_date=date(2025, 1, 1),
        )
        for i, village in enumerate(Area.objects.subtree_of(township).filter(level=Level.VILLAGE)):
            services.assign_responsibility(
                actor=None,
                area=village,
                cadre=cadres[2 + i % 6],
                duty=Duty.RESPONSIBLE,
                start_date=date(2025, 1, 1),
            )


def _pairings(rng, households, cadres_by_township) -> list[tuple]:
    """Most must-visit households and a few others: about one in five, each cadre a poor one."""
    pairs = []
    start = date(timezone.localdate().year - 1, 3, 1)
    for household in households:
        wanted = (household.is_must_visit and rng.random() < 0.93) or rng.random() < 0.05
        if wanted:
            cadre = rng.choice(cadres_by_township[household.township_id])
            pairs.append((cadre, household, PairingKind.TERRITORIAL, start))
    return pairs


def _typists(demo_users: dict) -> dict:
    """Who types each township's diaries: its demo clerk, else the administrator."""
    typists = {}
    for username in ("clerk", "clerk_nanping"):
        user = demo_users[username]
        for membership in user.memberships.all():
            typists[membership.area_id] = user
    typists[None] = demo_users["admin"]
    return typists


def _visits(rng, county: Area, pairs, typists: dict) -> int:
    if Visit.objects.subtree_of(county).exists():
        return 0
    today, count = timezone.localdate(), 0
    for cadre, household, _kind, _start in pairs:
        for _ in range(rng.randint(1, 4)):
            visited_on = today - timedelta(days=rng.randrange(300))
            matters = []
            if rng.random() < 0.15:
                kind, topic, text, how = rng.choice(MATTERS_SOLVED)
                matters.append(
                    {
                        "household": household,
                        "kind": kind,
                        "topic": topic,
                        "description": text,
                        "solved_on_spot": True,
                        "resolution": how,
                    }
                )
            if rng.random() < 0.1:
                kind, topic, text = rng.choice(MATTERS_LEDGER)
                matters.append(
                    {"household": household, "kind": kind, "topic": topic, "description": text}
                )
            services.record_visit(
                actor=typists.get(household.township_id, typists[None]),
                cadre=cadre,
                visited_on=visited_on,
                kind=rng.choice([VisitKind.HOME] * 4 + [VisitKind.PHONE, VisitKind.SITTING]),
                households=[household],
                matters=matters,
                stay_days=0,
                notes={"q_basic": rng.choice(NOTES), "q_difficulties": rng.choice(NOTES)},
            )
            count += 1
    return count + _stays(rng, pairs, typists)


def _stays(rng, pairs, typists: dict) -> int:
    """Days living in villages (住村): township cadres owe 60 a year (DOMAIN.md §1).

    Each township cadre records a stay every month so far this year; most stay five or six
    days a month and keep pace, two in each township stay two days and fall behind.
    """
    today, count = timezone.localdate(), 0
    first_household: dict = {}
    for cadre, household, _kind, _start in pairs:
        first_household.setdefault(cadre.pk, (cadre, household))
    by_township: dict = {}
    for cadre, household in first_household.values():
        by_township.setdefault(cadre.area_id, []).append((cadre, household))
    for members in by_township.values():
        members.sort(key=lambda pair: pair[0].pk)
        slow = {pair[0].pk for pair in members[-2:]}
        for cadre, household in members:
            if cadre.rank != Rank.TOWNSHIP:
                continue
            for month in range(1, today.month + 1):
                day = date(
                    today.year,
                    month,
                    min(rng.randint(3, 20), today.day if month == today.month else 28),
                )
                if day > today:
                    continue
                services.record_visit(
                    actor=typists.get(household.township_id, typists[None]),
                    cadre=cadre,
                    visited_on=day,
                    kind=VisitKind.HOME,
                    households=[household],
                    place=household.area.name,
                    stay_days=2 if cadre.pk in slow else rng.choice([5, 6, 6]),
                    notes={"q_basic": "住村期间走访农户，了解生产生活情况"},
                )
                count += 1
    return count


def _commitments(rng, cadres) -> int:
    year, count = timezone.localdate().year, 0
    promises = [
        "帮助联系户发展特色种植",
        "协调解决组内饮水问题",
        "每季度走访一次结对户",
        "帮助申请临时救助",
        "组织一次技能培训",
        "推动进组道路硬化",
    ]
    for cadre in cadres:
        if Commitment.objects.filter(cadre=cadre, year=year).exists():
            continue
        for text in rng.sample(promises, 3 if cadre.is_leading else 2):
            commitment = services.add_commitment(actor=None, cadre=cadre, year=year, content=text)
            if rng.random() < 0.4:
                services.set_commitment_status(
                    actor=None, commitment=commitment, status="fulfilled"
                )
            count += 1
    return count
