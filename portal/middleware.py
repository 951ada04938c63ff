"""Chinese first: the language comes from the user's explicit choice, never the browser.

Django's LocaleMiddleware would follow Accept-Language, so an English-configured
browser on a township PC would switch the whole UI to English. Here the language is
the one picked with the switch (stored in the language cookie), else LANGUAGE_CODE.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class CookieLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


BUSY_CODES = {"55P03", "57014"}  # lock_not_available, query_canceled (statement timeout)


def is_busy_database(exc) -> bool:
    """A lock or statement timeout (PostgreSQL), or SQLite's "database is locked"."""
    from django.db import OperationalError

    from foundation.locks import LockBudgetSpent

    if not isinstance(exc, OperationalError):
        return False
    if isinstance(exc, LockBudgetSpent):
        return True
    cause = exc.__cause__
    code = getattr(cause, "pgcode", None)
    return code in BUSY_CODES or "database is locked" in str(exc)


class LockBudgetMiddleware:
    """Each request may wait for locks ``LIAISON_LOCK_BUDGET`` seconds in all
    (``foundation.locks``): a save behind a held row is "busy" within that time however many
    requests queue behind it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from foundation import locks

        with locks.budget(settings.LIAISON_LOCK_BUDGET):
            return self.get_response(request)


class BusyDatabaseMiddleware:
    """A timed-out lock or statement: "系统繁忙，请稍后重试" (503), never a dropped connection.

    Nothing was written (the request's transaction rolled back). On a page, the browser
    still holds what was typed: the page says so and offers to go back and send it again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not is_busy_database(exc):
            return None
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": _("The system is busy; nothing was saved. Try again shortly.")},
                status=503,
            )
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = "5"
        return response


class MethodNotAllowedPageMiddleware:
    """A page address opened with the wrong method (GET on a step done with a button, such
    as /logout/): a page in the user's language saying so, not the browser's own English
    "HTTP ERROR 405". The API keeps its JSON answer; the Allow header stays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or request.path.startswith("/api/") or response.content:
            return response
        from django.shortcuts import render

        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
