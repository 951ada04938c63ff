from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The site: settings, URLs, the API router, the home page, the seed commands, and
    (to come) the dashboards. It may import every app; no app imports it."""

    name = "portal"
    verbose_name = _("Site")
    default_auto_field = "django.db.models.BigAutoField"
