"""API token authentication: DRF's, with its query compiled once per process.

Every API request looks its token up; building and compiling that ORM query cost more than
running it (``foundation.prepared``). The rows are the same: the user whose token the
header carries. An unknown token or an inactive user is answered by DRF's own code, with
its own (translated) message.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import authentication
from rest_framework.authtoken.models import Token

from .prepared import Prepared


def _user_of_token(*, key):
    return get_user_model().objects.filter(auth_token__key=key)


USER_OF_TOKEN = Prepared(_user_of_token)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        users = USER_OF_TOKEN(key=key)
        if users and users[0].is_active:
            return users[0], Token(key=key, user=users[0])
        return super().authenticate_credentials(key)  # DRF's refusal, message and all
