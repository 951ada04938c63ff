"""Public reports (群众反映): what a household sends from its contact card's QR page.

A report is not yet a ledger matter. It is received by the household's paired cadre (the
first cadre of the household), who becomes its first-visit owner — DOMAIN.md §4: the
first cadre who hears a matter owns it until it is closed — when they acknowledge it; the
acknowledgement files the matter in the ledger (source "public report") and links it
here. The household follows its report with the reference it was given and a six-digit
check code that is stored only as a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation import crypto
from foundation.fields import RedactedTextField
from liaison.models import Cadre, Household
from responsibility_areas.models import AreaLocated

from .ledger import Matter


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received, waiting for the cadre")
    ACCEPTED = "accepted", _("Taken into the ledger")


class PublicReport(AreaLocated):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    check_hash = models.CharField(_("check code (keyed hash)"), max_length=64)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="public_reports",
    )
    description = RedactedTextField(_("what the household reports"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    matter = models.OneToOneField(
        Matter,
        verbose_name=_("ledger matter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="public_report",
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("taken into the ledger at"), null=True, blank=True)

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        indexes = [models.Index(fields=["cadre", "status"], name="report_cadre_status")]

    def __str__(self):
        return self.reference

    @staticmethod
    def hash_code(reference: str, code: str) -> str:
        """The keyed hash stored for a check code (the code itself is never stored)."""
        key = crypto.derived_secret(b"public-report-check").encode()
        return hmac.new(key, f"{reference}:{code}".encode(), hashlib.sha256).hexdigest()


__all__ = ["PublicReport", "ReportStatus"]
