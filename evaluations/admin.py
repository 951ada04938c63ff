"""The numbers of the evaluation, per area level, for administrators (admin site)."""

from django.contrib import admin

from .models import EvaluationRule, ScoreWeights


@admin.register(EvaluationRule)
class EvaluationRuleAdmin(admin.ModelAdmin):
    list_display = [
        "level",
        "min_participants",
        "min_grassroots_percent",
        "threshold_numerator",
        "threshold_denominator",
        "service_target_percent",
    ]


@admin.register(ScoreWeights)
class ScoreWeightsAdmin(admin.ModelAdmin):
    list_display = [
        "level",
        "exam_percent",
        "contacts_points",
        "visits_points",
        "stay_points",
        "matters_points",
        "commitments_points",
    ]
