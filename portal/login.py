"""The log-in form, with a per-address rate limit in front of axes' per-account lockout."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from foundation.ratelimit import hit_rate


class RateLimitedLoginView(auth_views.LoginView):
    """``LOGIN_RATE_PER_IP`` posts per address (shared with the API's token endpoint).

    Each wrong password costs a second of hashing; without a limit per address two
    requests a second keep two workers busy. A township office shares one address, so the
    limit is generous (30 a minute by default) and the per-account lockout does the rest.
    """

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        verdict = hit_rate("login", request, settings.LOGIN_RATE_PER_IP)
        if not verdict.allowed:
            return _too_many(request, verdict)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "failure_limit": settings.AXES_FAILURE_LIMIT}


def _too_many(request, verdict):
    response = render(request, "429.html", {"retry_after": verdict.retry_after}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def admin_login(request, extra_context=None):
    """The admin's log-in under the same per-address limit as ``/login/`` and the API's
    token endpoint (one counter for the three)."""
    from django.contrib import admin

    if request.method == "POST":
        verdict = hit_rate("login", request, settings.LOGIN_RATE_PER_IP)
        if not verdict.allowed:
            return _too_many(request, verdict)
    return admin.site.login(request, extra_context)
