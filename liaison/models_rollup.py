"""The monthly liaison figures per area (rolled up the tree; liaison/indicators.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AreaMonth(models.Model):
    """An area's liaison figures for a month, rolled up the tree (liaison/indicators.py).

    Contacts, in-person visits and days lived in villages are the month's; the standing
    figures (households, pairing coverage, cadres on schedule, pairing-rule breaches,
    areas without a responsible person) are as at the month's end, or at ``computed_at``
    for the month in progress. Recomputed from the source rows, never incremented.
    """

    area = models.ForeignKey(
        "responsibility_areas.Area",
        verbose_name=_("area"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    month = models.DateField(_("month"))
    contacts = models.PositiveIntegerField(_("contacts"), default=0)
    visits_in = models.PositiveIntegerField(_("in-person visits"), default=0)
    stay_days = models.PositiveIntegerField(_("days living in the village"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    must_visit = models.PositiveIntegerField(_("must-visit households"), default=0)
    must_unpaired = models.PositiveIntegerField(_("must-visit households unpaired"), default=0)
    cadres = models.PositiveIntegerField(_("cadres"), default=0)
    cadres_behind = models.PositiveIntegerField(_("cadres behind schedule"), default=0)
    # {rank: [cadres with a quota, of whom behind]}
    quota_by_rank = models.JSONField(_("quota compliance by rank"), default=dict)
    breaking_rules = models.PositiveIntegerField(_("cadres breaking pairing rules"), default=0)
    without_responsible = models.PositiveIntegerField(
        _("areas without a responsible person"), default=0
    )
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("monthly liaison figures")
        verbose_name_plural = _("monthly liaison figures")
        constraints = [models.UniqueConstraint(fields=["area", "month"], name="one_area_month")]
        indexes = [
            models.Index(
                fields=["month", "area_path"],
                name="area_month_path",
                opclasses=["date_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self):
        return f"{self.area_id} {self.month:%Y-%m}"
