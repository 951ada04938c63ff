"""API token authentication: ``Authorization: Token <key>``, looked up by its digest
(``foundation.apitokens``), its query compiled once per process (``foundation.prepared``).

A token is refused — with DRF's own (translated) "Invalid token." — when it is unknown,
revoked, past its time, its user inactive, or issued under a password since changed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .apitokens import digest, password_fingerprint
from .prepared import Prepared


def _user_of_token(*, digest, now):
    return (
        get_user_model()
        .objects.filter(api_tokens__digest=digest, api_tokens__expires_at__gt=now)
        .annotate(token_fingerprint=F("api_tokens__password_fingerprint"))
    )


USER_OF_TOKEN = Prepared(_user_of_token)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        users = USER_OF_TOKEN(digest=digest(key), now=timezone.now())
        user = users[0] if users else None
        if user is None or user.token_fingerprint != password_fingerprint(user):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, key
