"""The API's token endpoint: clear 400s for bad bodies, a per-address rate limit, lockouts."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from foundation import apitokens
from foundation.authentication import TokenAuthentication
from foundation.ratelimit import hit_rate


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("User name"), max_length=150)
    password = serializers.CharField(
        label=_("Password"),
        max_length=4096,
        style={"input_type": "password"},
        trim_whitespace=False,
    )

    def validate_username(self, value):
        if "\x00" in value:
            raise serializers.ValidationError(_("Null characters are not allowed."))
        return value


def too_many(detail: str, retry_after: int | None = None) -> Response:
    response = Response({"detail": detail}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="{detail} or {field: [message]}")


class LockoutAwareObtainAuthToken(ObtainAuthToken):
    """Token login.

    * A body that is not an object with a user name and a password: 400 naming the field.
    * More than ``LOGIN_RATE_PER_IP`` attempts from one address (default 30 a minute, for
      the form login and this endpoint together): 429 with ``Retry-After`` — checking a
      password costs the server a second of hashing, even for a user that does not exist.
    * A locked account (``LOGIN_FAILURE_LIMIT`` failures): 429 saying so and for how long;
      axes refuses it inside ``authenticate()``, which DRF would report as bad credentials.
    """

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        auth=[],
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "Token",
                {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()},
            ),
            400: ERROR,
            429: ERROR,
        },
    )
    def post(self, request, *args, **kwargs):
        verdict = hit_rate("login", request, settings.LOGIN_RATE_PER_IP)
        if not verdict.allowed:
            return too_many(
                _("Too many log-in attempts from this address. Try again in %(seconds)d seconds.")
                % {"seconds": verdict.retry_after},
                verdict.retry_after,
            )
        if not isinstance(request.data, dict):
            return Response(
                {"detail": _("Send a JSON object with a user name and a password.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        credentials = {"username": form.validated_data["username"]}
        if AxesProxyHandler.is_locked(request, credentials):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            return too_many(
                _(
                    "Too many failed log-in attempts for this account. "
                    "Try again in %(minutes)d minutes."
                )
                % {"minutes": minutes}
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        key, expires_at = apitokens.issue_token(actor=user, user=user)
        return Response({"token": key, "expires_at": expires_at})

    @extend_schema(
        request=None,
        responses={204: None, 401: ERROR, 403: ERROR},
        description="Revoke the token this request is made with (log out of the API).",
    )
    def delete(self, request, *args, **kwargs):
        """Revoke the calling token: it stops working at once."""
        found = TokenAuthentication().authenticate(request)
        if found is None:
            return Response(
                {"detail": _("Authentication credentials were not provided.")},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        user, key = found
        apitokens.revoke_token(actor=user, key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)
