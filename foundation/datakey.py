"""The data key's fingerprint, recorded once per database (see foundation.crypto)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import audit, crypto
from .models import AuditEvent

ACTION = "data_key.registered"


@audit.service
def ensure_data_key_fingerprint(*, actor, fingerprint: str) -> None:
    """Record the key's fingerprint on first use; refuse a key with another fingerprint.

    A database that already holds encrypted rows but no fingerprint (it predates this
    check) is accepted only if one of its rows decrypts with the key.
    """
    known = (
        AuditEvent.objects.filter(action=ACTION)
        .order_by("at", "id")
        .values_list("data__fingerprint", flat=True)
        .first()
    )
    if known == fingerprint:
        audit.nothing_changed()
        return
    if known is not None:
        raise crypto.KeyMismatch(
            _(
                "The configured data key (fingerprint %(have)s) is not the key this database was "
                "encrypted with (fingerprint %(want)s). Restore the right key; nothing was written."
            )
            % {"have": fingerprint, "want": known}
        )
    sample = crypto.encrypted_sample()
    if sample:
        crypto.open_sealed(sample)  # raises KeyMismatch for a wrong key
    audit.record(actor=actor, actor_name="system", action=ACTION, data={"fingerprint": fingerprint})
