import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()


def _load_and_freeze():
    """Load what the first requests would load lazily (the URL patterns, both languages'
    catalogues), then move everything loaded so far out of the garbage collector's sight.

    It lives as long as the process; walked by every full collection, it made one list
    request in a hundred take 70–115 ms instead of 10 (measured on the diary list at
    province scale; bench/RESULTS.md). ``gc.freeze`` is Python's tool for exactly this.
    """
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    reverse("home")
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")
    gc.freeze()


_load_and_freeze()
