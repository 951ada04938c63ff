from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityAreasConfig(AppConfig):
    name = "responsibility_areas"
    verbose_name = _("Responsibility areas")
    default_auto_field = "django.db.models.BigAutoField"
