from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = _("Liaison")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Uploaded workbooks are parsed by openpyxl (fallback reader): never without defusedxml.
        from liaison.importing.safety import assert_defused

        assert_defused()

        from liaison.lib import dbtimeouts

        dbtimeouts.install()
