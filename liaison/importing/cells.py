"""Turn one spreadsheet cell into one field value, or say in words why not.

Shared by the fast roster import and the django-import-export resources, so a file
is judged by the same rules whichever way it comes in. Each parser raises
:class:`CellError` (a ``ValueError``, which django-import-export widgets report as a
field error) with a translated message.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache, lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

from foundation.identity import MOBILE_SHAPE, check_id_number, check_mobile, normalise_mobile
from liaison.models import HouseholdCategory, PairingKind

from .reader import clean_text

_EXCEL_EPOCH = date(1899, 12, 30)
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S")
_LIST_SEPARATORS = re.compile(r"[、,，;；/|\s]+")
_TRUE = {"是", "党员", "中共党员", "y", "yes", "true", "1", "√", "✓", "t"}
_FALSE = {"否", "非党员", "群众", "n", "no", "false", "0", "×", "f", ""}


class CellError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def text(value) -> str:
    """The cell as clean text: NFKC (full-width → half-width), spaces trimmed and collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    value = clean_text(str(value))
    # Our exports write ``'=...`` for a value that starts like a formula: undo that.
    if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@", "\t", "\r", "\0"):
        return value[1:]
    return value


def name(value) -> str:
    """A person's or a place's name: no spaces at all (Chinese names carry none)."""
    return "".join(text(value).split())


def _digits_from_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def id_number(value) -> str:
    """The checked 18-character ID number (upper-case X), from text or a number cell."""
    if isinstance(value, bool):
        raise CellError("bad_id_number", _("The ID number is missing."))
    if isinstance(value, int | float):
        # Excel keeps 15 significant digits: an 18-digit number typed into a number cell
        # has already lost its last digits, so the value in the file is not the real ID.
        if abs(value) >= 1e15:
            raise CellError(
                "id_number_as_number",
                _(
                    "The ID number was stored as a number and Excel kept only 15 digits (%(shown)s); "
                    "format the column as text and enter the number again."
                )
                % {"shown": f"{value:.14E}".replace(".00000000000000", "")},
            )
        value = _digits_from_number(value)
    raw = text(value)
    if _SCIENTIFIC.match(raw.replace(" ", "")):
        raise CellError(
            "id_number_as_number",
            _(
                "The ID number was stored as a number and Excel kept only 15 digits (%(shown)s); "
                "format the column as text and enter the number again."
            )
            % {"shown": raw},
        )
    if not raw:
        raise CellError("bad_id_number", _("The ID number is missing."))
    if "*" in raw:
        raise CellError(
            "masked_id_number",
            _("This ID number is masked (it comes from a masked export) and cannot be imported."),
        )
    checked = check_id_number(raw)
    if not checked.ok:
        raise CellError("bad_id_number", checked.error)
    return checked.value


def mobile(value, *, required: bool = False) -> str:
    """A checked 11-digit mobile number; phones stored as numbers (1.38e10, 13800138000.0) too."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _digits_from_number(value)
    raw = text(value)
    if raw.endswith(".0") and raw[:-2].isdigit():
        raw = raw[:-2]
    if not raw:
        if required:
            raise CellError("bad_phone", _("The mobile number is missing."))
        return ""
    if "*" in raw:
        raise CellError(
            "masked_phone",
            _(
                "This phone number is masked (it comes from a masked export) and cannot be imported."
            ),
        )
    # The shape is the rule; phonenumbers' range check only ever gives a warning, and costs
    # ~100 µs a number, so it is left to the forms.
    value = normalise_mobile(raw)
    if not MOBILE_SHAPE.match(value):
        raise CellError("bad_phone", check_mobile(raw).error)
    return value


def a_date(value, *, required: bool = False) -> date | None:
    if type(value) is str:
        return _date_from_text(value, required)
    return _a_date(value, required=required)


@lru_cache(maxsize=4096)
def _date_from_text(value: str, required: bool) -> date | None:
    return _a_date(value, required=required)


def _a_date(value, *, required: bool = False) -> date | None:
    """Dates as Excel serials, ``2024-03-01``, ``2024/3/1``, ``2024.3.1`` or ``2024年3月1日``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial range (1900-01-01 … 9999-12-31)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError("bad_date", _("This is not a date."))
    raw = text(value).replace(" ", "")
    if not raw:
        if required:
            raise CellError("bad_date", _("The date is missing."))
        return None
    if raw.isdigit() and len(raw) == 5:
        return _EXCEL_EPOCH + timedelta(days=int(raw))
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise CellError(
        "bad_date",
        _("“%(value)s” is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日.")
        % {"value": raw},
    )


def count(value, *, default: int = 1) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = value
    else:
        raw = re.sub(r"[人口\s]", "", text(value))
        if not raw:
            return default
        try:
            number = float(raw)
        except ValueError:
            raise CellError(
                "bad_number", _("“%(value)s” is not a whole number.") % {"value": raw}
            ) from None
    if not float(number).is_integer() or not 1 <= number <= 99:
        raise CellError(
            "bad_number", _("The number of members must be a whole number from 1 to 99.")
        )
    return int(number)


def yes_no(value) -> bool:
    raw = text(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError("bad_yes_no", _("Write 是 or 否 (yes or no)."))


def _labels(choices, extra: dict[str, str]) -> dict[str, str]:
    table = {}
    for value, label in choices.choices:
        table[value.lower()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                table[name(str(label)).lower()] = value
    table.update({name(k).lower(): v for k, v in extra.items()})
    return table


@cache
def category_labels() -> dict[str, str]:
    C = HouseholdCategory
    return _labels(
        C,
        {
            "五保": C.FIVE_GUARANTEE,
            "特困": C.FIVE_GUARANTEE,
            "特困供养户": C.FIVE_GUARANTEE,
            "低保": C.SUBSISTENCE,
            "贫困": C.POOR,
            "脱贫户": C.POOR,
            "监测户": C.POOR,
            "信访户": C.PETITIONING,
            "上访": C.PETITIONING,
            "残疾": C.DISABLED,
            "残疾人户": C.DISABLED,
            "大病户": C.MAJOR_ILLNESS,
            "重病": C.MAJOR_ILLNESS,
            "留守": C.LEFT_BEHIND,
            "留守儿童": C.LEFT_BEHIND,
            "留守老人": C.LEFT_BEHIND,
            "军属": C.MILITARY,
            "军人家属": C.MILITARY,
            "受灾户": C.DISASTER,
            "丧事": C.BEREAVED,
            "失学": C.UNEMPLOYED,
            "失业": C.UNEMPLOYED,
            "一般户": "",
            "普通户": "",
            "无": "",
        },
    )


@cache
def kind_labels() -> dict[str, str]:
    K = PairingKind
    return _labels(
        K,
        {
            "属地": K.TERRITORIAL,
            "属地联系": K.TERRITORIAL,
            "对口": K.COUNTERPART,
            "组织": K.ORGANISATIONAL,
            "亲戚": K.RELATIVES,
            "结对认亲": K.RELATIVES,
            "亲属": K.RELATIVES,
        },
    )


def categories(value) -> list[str]:
    """Several categories separated by 、 , ； (or spaces) → HouseholdCategory values."""
    return list(_categories(text(value)))


@lru_cache(maxsize=4096)
def _categories(value: str) -> tuple[str, ...]:
    found, table = [], category_labels()
    for part in _LIST_SEPARATORS.split(text(value)):
        if not part:
            continue
        category = table.get(part.lower())
        if category is None:
            raise CellError(
                "bad_category", _("Unknown household category “%(value)s”.") % {"value": part}
            )
        if category and category not in found:
            found.append(category)
    return tuple(found)


def pairing_kind(value, *, default: str = PairingKind.TERRITORIAL) -> str:
    raw = name(value).lower()
    if not raw:
        return default
    kind = kind_labels().get(raw)
    if kind is None:
        raise CellError("bad_kind", _("Unknown pairing kind “%(value)s”.") % {"value": name(value)})
    return kind


def category_label_list() -> list[str]:
    """The Chinese labels, for drop-down lists in templates and error hints."""
    with translation.override("zh-hans"):
        return [str(label) for label in HouseholdCategory.labels]


def kind_label_list() -> list[str]:
    with translation.override("zh-hans"):
        return [str(label) for label in PairingKind.labels]
