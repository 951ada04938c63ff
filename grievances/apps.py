from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Grievance ledger")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Plug the ledger into the people app's seams (liaison imports no grievances code).
        from liaison import seams

        from .public_reports import report_section
        from .selectors import matters_of_household, open_matters_of_cadre
        from .services import ledger_visit_matters

        seams.on_visit_matters(ledger_visit_matters)
        seams.public_card_section(report_section)
        seams.household_page_section(
            lambda viewer, household: {
                "household_matters": matters_of_household(viewer, household)[:50]
            }
        )
        seams.cadre_page_section(
            lambda viewer, cadre: {"matters": open_matters_of_cadre(viewer, cadre)[:50]}
        )
