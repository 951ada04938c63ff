from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Satisfaction evaluation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The survey joins the household's public page through the people app's seam.
        from liaison import seams

        from .public import survey_section

        seams.public_card_section(survey_section)

        from .selectors import answers_count_of_household

        seams.household_page_section(
            lambda viewer, household: {
                "survey_answers": answers_count_of_household(viewer, household)
            }
        )
