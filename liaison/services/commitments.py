"""Commitments: writes, each one audited transaction."""

from __future__ import annotations

from django.utils.translation import gettext as _

from foundation import audit
from foundation.versioning import claim
from liaison.models import (
    Cadre,
    Commitment,
    CommitmentStatus,
)

from ._base import HOUSEHOLD_LEVELS, LiaisonError, _full_clean, _require_visible  # noqa: F401


@audit.service
def add_commitment(*, actor, cadre: Cadre, year: int, content: str) -> Commitment:
    _require_visible(actor, cadre.area)
    commitment = Commitment(cadre=cadre, year=year, content=content.strip())
    commitment.place_in(cadre.area)
    _full_clean(commitment)
    commitment.save()
    audit.record(actor=actor, action="commitment.added", obj=commitment, data={"content": content})
    return commitment


@audit.service
def set_commitment_status(
    *, actor, commitment: Commitment, status: str, note: str = "", version: int | None = None
) -> Commitment:
    """Status and progress note, as the caller saw them at ``version`` (stale → StaleEdit)."""
    _require_visible(actor, commitment.area)
    if status not in CommitmentStatus.values:
        raise LiaisonError("bad_status", _("Unknown status."), "status")
    claim(commitment, version)
    commitment.status, commitment.note = status, note
    commitment.save(update_fields=["status", "note", "version"])
    audit.record(
        actor=actor, action="commitment.status_set", obj=commitment, data={"status": status}
    )
    return commitment
