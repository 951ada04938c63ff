"""API tokens that expire, can be revoked, die with a password change, and are stored only
as a digest (``ApiToken``). The key is random (40 hex characters, as DRF's were) and is
returned once, by :func:`issue_token`."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import audit


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_fingerprint(user) -> str:
    """Changes whenever the password does (Django re-hashes with a new salt)."""
    return hashlib.sha256((user.password or "").encode()).hexdigest()[:16]


def _model():
    from .models import ApiToken

    return ApiToken


@audit.service
def issue_token(*, actor, user) -> tuple[str, object]:
    """A new token for ``user``: ``(key, expires_at)``. Tokens past their time are dropped."""
    ApiToken = _model()
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        digest=digest(key),
        password_fingerprint=password_fingerprint(user),
        created_at=now,
        expires_at=now + timedelta(days=settings.LIAISON_API_TOKEN_DAYS),
    )
    audit.record(actor=actor, action="api_token.issued", obj=token, data={"user": user.username})
    return key, token.expires_at


@audit.service
def revoke_token(*, actor, key: str) -> bool:
    """Revoke the token ``key`` (its owner's own call); False when it was not a token."""
    deleted, _ = _model().objects.filter(digest=digest(key), user=actor).delete()
    if deleted:
        audit.record(actor=actor, action="api_token.revoked", data={"user": actor.username})
    else:
        audit.nothing_changed()
    return bool(deleted)
