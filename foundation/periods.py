"""Reporting periods: whole calendar months, as the monthly ledger and the dashboards count.

A period is a run of months ``first``–``last``; ``as_of`` is the day its figures stand at
(its last day, or today for the period in progress). Every figure over a period is the sum
of its months: closed months are read from the rollups, the month in progress is live.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KINDS = {
    "month": _("This month"),
    "last_month": _("Last month"),
    "year": _("This year"),
    "chosen": _("A chosen month"),
}


def add_months(month: date, n: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 + n, 12)
    return date(year, index + 1, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@dataclass(frozen=True)
class Period:
    first: date  # the first day of the first month
    last: date  # the first day of the last month
    today: date
    kind: str = "chosen"
    cutoff: date | None = None  # a shifted period in progress stands at the same day

    @property
    def start(self) -> date:
        return self.first

    @property
    def end(self) -> date:
        return month_end(self.last)

    @property
    def as_of(self) -> date:
        return min(self.end, self.today, self.cutoff or self.end)

    @property
    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def current_month(self) -> date:
        return self.today.replace(day=1)

    def is_live(self, month: date) -> bool:
        """The month in progress (or a later one) is counted live, never from a rollup."""
        return month >= self.current_month

    @property
    def has_started(self) -> bool:
        return self.first <= self.today

    def shifted(self, months: int, kind: str = "chosen") -> Period:
        """The same span ``months`` earlier (negative) or later, its as-of day shifted too."""
        first, last = add_months(self.first, months), add_months(self.last, months)
        cutoff = None
        if self.as_of < self.end:  # a period in progress compares with the same days
            month = add_months(self.as_of.replace(day=1), months)
            cutoff = month.replace(day=min(self.as_of.day, month_end(month).day))
        return Period(first, last, self.today, kind, cutoff)

    def previous(self) -> Period:
        return self.shifted(-len(self.months))

    def last_year(self) -> Period:
        return self.shifted(-12)

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first.year}年{self.first.month}月"
        return f"{self.first.year}年{self.first.month}–{self.last.month}月"

    @property
    def param(self) -> str:
        return self.kind if self.kind != "chosen" else f"{self.first:%Y-%m}"


def period_from(text: str | None, today: date | None = None) -> Period:
    """``month`` (default), ``last_month``, ``year`` or ``YYYY-MM``; anything else is this month."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    text = (text or "month").strip()
    if text == "last_month":
        month = add_months(this_month, -1)
        return Period(month, month, today, "last_month")
    if text == "year":
        return Period(this_month.replace(month=1), this_month, today, "year")
    try:
        year, mon = (int(part) for part in text.split("-"))
        month = date(year, mon, 1)
    except ValueError:
        return Period(this_month, this_month, today, "month")
    if not (2000 <= month.year and month <= this_month):
        return Period(this_month, this_month, today, "month")
    return Period(month, month, today, "month" if month == this_month else "chosen")


def trailing_months(today: date, count: int = 12) -> list[date]:
    """The ``count`` months ending with the current one, oldest first."""
    this_month = today.replace(day=1)
    return [add_months(this_month, -back) for back in range(count - 1, -1, -1)]
