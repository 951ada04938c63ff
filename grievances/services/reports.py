"""Public reports from the contact card's QR page, and their acknowledgement by the cadre.

- :func:`receive_public_report`: no login; the household's first paired cadre receives it
  (the village's responsible cadre when nobody is paired), with a notification; the
  household gets a reference and a six-digit check code to follow it.
- :func:`accept_public_report`: the receiving cadre (or whoever may file for the area)
  takes it into the ledger; the receiving cadre becomes the matter's first-visit owner
  (DOMAIN.md §4), the deadline runs from the day the household reported it.
"""

from __future__ import annotations

import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from foundation import audit, locks
from liaison.models import Cadre, Household, MatterKind, Pairing

from ..models import MatterSource, NotificationKind, PublicReport, ReportStatus
from ._base import (
    MatterError,
    notification,
    notification_text,
    responsible_cadre_id,
)
from .matters import file_matter

MAX_LENGTH = 1000


def _receiving_cadre(household: Household) -> Cadre | None:
    """The household's first cadre: its longest-standing pairing, else the village's 责任人."""
    pairing = (
        Pairing.objects.active()
        .filter(household=household)
        .select_related("cadre")
        .order_by("start_date", "id")
        .first()
    )
    if pairing is not None:
        return pairing.cadre
    for area in [household.area, *list(household.area.get_ancestors())[::-1]]:
        cadre_id = responsible_cadre_id(area)
        if cadre_id is not None:
            return Cadre.objects.get(pk=cadre_id)
    return None


@audit.service
def receive_public_report(*, household: Household, description: str) -> tuple[PublicReport, str]:
    """(the report, its check code: shown once to the household, stored only hashed)."""
    description = (description or "").strip()
    if not description:
        raise MatterError("empty", _("Say what the matter is."), "description")
    if len(description) > MAX_LENGTH:
        raise MatterError(
            "too_long",
            _("Write at most %(n)d characters.") % {"n": MAX_LENGTH},
            "description",
        )
    cadre = _receiving_cadre(household)
    today = timezone.localdate()
    report = PublicReport(household=household, cadre=cadre, description=description)
    report.place_in(household.area)
    report.reference = f"tmp-{secrets.token_hex(6)}"
    report.check_hash = ""
    report.save()
    report.reference = f"{today:%Y%m%d}{report.pk:06d}"
    code = f"{secrets.randbelow(10**6):06d}"
    report.check_hash = PublicReport.hash_code(report.reference, code)
    report.save(update_fields=["reference", "check_hash"])
    if cadre is not None:
        notification(
            cadre_id=cadre.pk,
            matter_id=None,
            kind=NotificationKind.PUBLIC_REPORT,
            text=notification_text(
                _("Household %(name)s reported a matter (%(reference)s): acknowledge it."),
                {"name": household.head_name, "reference": report.reference},
            ),
        ).save()
    audit.record(
        actor=None,
        actor_name="public",
        action="public_report.received",
        obj=report,
        data={"reference": report.reference, "cadre": cadre.name if cadre else ""},
    )
    return report, code


def _may_accept(actor, report: PublicReport) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    own = getattr(actor, "cadre", None)
    if own is not None and report.cadre_id == own.pk:
        return True
    return PublicReport.objects.visible_to(actor).filter(pk=report.pk).exists()


@audit.service
def accept_public_report(
    *, actor, report: PublicReport, kind: str = MatterKind.DIFFICULTY, topic: str = ""
):
    """Take the report into the ledger: the receiving cadre owns it from now on."""
    if not _may_accept(actor, report):
        raise MatterError("out_of_scope", _("This report is not yours to acknowledge."))
    report = locks.lock_one(PublicReport.objects.filter(pk=report.pk))
    if report.matter_id is not None:  # a double click, or a colleague was first
        audit.nothing_changed()
        return report.matter
    owner = report.cadre or getattr(actor, "cadre", None)
    if owner is None:
        raise MatterError("no_owner", _("Nobody can own this report: pair the household first."))
    matter = file_matter(
        actor=actor,  # who took it in is who filed it (the history names them)
        scope_checked=True,  # the receiving cadre may accept it outside their own scope
        owner=owner,
        description=report.description,
        kind=kind,
        topic=topic,
        source=MatterSource.PUBLIC_REPORT,
        received_on=timezone.localdate(report.created_at),
        applicant=report.household,
    )
    report.matter = matter
    report.cadre = owner
    report.status = ReportStatus.ACCEPTED
    report.accepted_at = timezone.now()
    report.save(update_fields=["matter", "cadre", "status", "accepted_at"])
    audit.record(
        actor=actor,
        action="public_report.accepted",
        obj=report,
        data={"reference": report.reference, "number": matter.number},
    )
    return matter
