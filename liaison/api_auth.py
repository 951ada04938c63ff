from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response


class LockoutAwareObtainAuthToken(ObtainAuthToken):
    """Token login that says "locked" instead of "wrong password" to a locked account.

    Axes refuses a locked account inside ``authenticate()``, which DRF would report as
    bad credentials; the caller deserves to know the account is locked and for how long.
    """

    def post(self, request, *args, **kwargs):
        credentials = {"username": request.data.get("username", "")}
        if AxesProxyHandler.is_locked(request, credentials):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            detail = _(
                "Too many failed log-in attempts for this account. Try again in %(minutes)d minutes."
            ) % {"minutes": minutes}
            return Response({"detail": detail}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        return super().post(request, *args, **kwargs)
