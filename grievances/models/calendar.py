"""Deadlines: the rules per level and kind (a county may set its own), and the working
calendar they count on (法定节假日 and 调休), kept by an administrator.

Only the exceptions to Monday–Friday are stored: a weekday off (a holiday) or a weekend day
worked (a make-up workday). A year is *known* once it has a :class:`WorkCalendarYear` row —
seeded from the ``chinesecalendar`` package for the years it knows, added by an
administrator when the State Council publishes the next one. Deadlines in an unknown year
still count Monday–Friday, and the ledger and ``/health/`` say so.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from responsibility_areas.models import Area

from .ledger import HandlingLevel, MatterKind

__all__ = ["DeadlineRule", "WorkCalendarDay", "WorkCalendarYear"]


class WorkCalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=100)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class WorkCalendarDay(models.Model):
    day = models.DateField(_("day"), unique=True)
    workday = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: a weekend day worked (调休). Unticked: a weekday off (a holiday)."),
    )
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.name}"


class DeadlineRule(models.Model):
    """How long a level has for a matter; ``kind`` blank = every kind without its own rule.
    ``county`` blank: the default everywhere; set: that county's own rule for the matters
    that arise in it (its leaders set it), which wins over the default."""

    county = models.ForeignKey(
        Area,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadline_rules",
    )
    level = models.CharField(_("handling level"), max_length=16, choices=HandlingLevel.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=MatterKind.choices, blank=True)
    days = models.PositiveSmallIntegerField(_("days"))
    working_days = models.BooleanField(_("working days"), default=False)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "kind"],
                condition=Q(county__isnull=True),
                name="one_deadline_rule_per_level_kind",
            ),
            models.UniqueConstraint(
                fields=["county", "level", "kind"],
                condition=Q(county__isnull=False),
                name="one_county_deadline_rule_per_level_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.kind or '*'}: {self.days}"
