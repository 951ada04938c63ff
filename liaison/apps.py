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

        from foundation import crypto, dbtimeouts

        dbtimeouts.install()
        crypto.set_sample_provider(_encrypted_sample)


def _encrypted_sample():
    """One household's encrypted ID number: the data key must open it (lib.datakey)."""
    from liaison.models import Household

    return (
        Household.objects.exclude(id_number_encrypted="")
        .values_list("id_number_encrypted", flat=True)
        .first()
    )
