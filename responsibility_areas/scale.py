"""A province-scale area tree for benchmarks: generated names, statistical-style codes."""

from __future__ import annotations

from collections.abc import Iterator

from .models import Level
from .services import AreaSpec

_A = "东西南北中上下新老大小龙凤金银石青白红黄"
_B = "山河川林田坝溪岭江湖平安宁和兴丰源泉"


def _name(i: int, suffix: str) -> str:
    return (
        f"{_A[i % len(_A)]}{_B[(i // len(_A)) % len(_B)]}{i // (len(_A) * len(_B)) or ''}{suffix}"
    )


def _spread(total: int, buckets: int) -> list[int]:
    base, extra = divmod(total, buckets)
    return [base + (1 if i < extra else 0) for i in range(buckets)]


def scale_specs(
    *, cities: int, counties: int, townships: int, villages: int, groups_per_village: int
) -> Iterator[AreaSpec]:
    """Parents before children; counts are spread evenly, deterministic."""
    yield AreaSpec("p", None, "测试省", Level.PROVINCE, "990000000000")
    counties_per_city = _spread(counties, cities)
    townships_per_county = _spread(townships, counties)
    villages_per_township = _spread(villages, townships)
    county_i = township_i = 0
    for c in range(cities):
        city_code = f"99{c + 1:02d}"
        yield AreaSpec(f"c{c}", "p", _name(c, "市"), Level.CITY, city_code.ljust(12, "0"))
        for k in range(counties_per_city[c]):
            county_code = f"{city_code}{k + 1:02d}"
            ckey = f"k{county_i}"
            yield AreaSpec(
                ckey, f"c{c}", _name(county_i, "县"), Level.COUNTY, county_code.ljust(12, "0")
            )
            for t in range(townships_per_county[county_i]):
                tkey, tcode = f"t{township_i}", f"{county_code}{100 + t + 1:03d}"
                yield AreaSpec(tkey, ckey, _name(t, "镇"), Level.TOWNSHIP, tcode + "000")
                for v in range(villages_per_township[township_i]):
                    vkey = f"{tkey}v{v}"
                    yield AreaSpec(
                        vkey, tkey, _name(v, "村"), Level.VILLAGE, f"{tcode}{200 + v + 1:03d}"
                    )
                    for g in range(groups_per_village):
                        yield AreaSpec(f"{vkey}g{g}", vkey, f"第{g + 1}组", Level.GROUP)
                township_i += 1
            county_i += 1
