"""Builders for people, through the services (the only write path)."""

import itertools

from foundation.identity import check_character
from liaison.models import Rank
from liaison.services import register_cadre, register_household

_seq = itertools.count(1)


def id_number(area_code="530802", born="19580317", sequence=None) -> str:
    body = f"{area_code}{born}{(sequence or next(_seq)) % 1000:03d}"
    return body + check_character(body)


def phone(n=None) -> str:
    return f"138{(n or next(_seq)) % 100000000:08d}"


def make_household(area, *, actor=None, name="王大", categories=(), **extra):
    extra.setdefault("phone", phone())
    return register_household(
        actor=actor,
        area=area,
        head_name=name,
        id_number=id_number(),
        categories=categories,
        **extra,
    )


def make_cadre(area, *, actor=None, name="刘强", rank=Rank.TOWNSHIP, **extra):
    return register_cadre(
        actor=actor,
        area=area,
        name=name,
        rank=rank,
        unit="思茅镇人民政府",
        post="副镇长",
        phone=phone(),
        **extra,
    )


_sheets = itertools.count(1)


def sheet() -> str:
    """A paper questionnaire's number, unique in the test run (a number counts once)."""
    return f"{next(_sheets):05d}"
