"""Showing personal data safely: masked names, redacted free text, cells never evaluated.

One place for the rules every page, export and public board follows (PIPL; ASVS 1.2.10).
"""

from __future__ import annotations

import re

from foundation.identity import mask_id_number, mask_mobile

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 南宫 "
    "西门 独孤 呼延 澹台".split()
)
# 18-character ID numbers and 11-digit mobiles, not part of a longer run of digits.
ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
# A spreadsheet evaluates a cell that starts with one of these (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def mask_name(name: str) -> str:
    """The surname and one asterisk: 王大明 → 王*, 欧阳春 → 欧阳*; a blank name stays blank."""
    name = (name or "").strip()
    if not name:
        return ""
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    return f"{surname}*"


def redact(text: str) -> str:
    """``text`` with every ID number and mobile number masked (530802********0019)."""
    if not text:
        return text or ""
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0).upper()), str(text))
    return MOBILE.sub(lambda m: mask_mobile(m.group(0)), text)


def safe_cell(value):
    """A value a spreadsheet shows and never evaluates: a leading ``'`` where needed."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
