"""DOMAIN.md §5's numbers as the starting rules (administrators change them per level)."""

from django.db import migrations

DEFAULTS = [
    # level, participants, grassroots %, threshold, service target %
    ("county", 80, 80, 1, 3, 90),
    ("township", 100, 50, 1, 3, 90),
]


def add(apps, schema_editor):
    Rule = apps.get_model("evaluations", "EvaluationRule")
    for level, participants, grassroots, num, den, target in DEFAULTS:
        Rule.objects.get_or_create(
            level=level,
            defaults={
                "min_participants": participants,
                "min_grassroots_percent": grassroots,
                "threshold_numerator": num,
                "threshold_denominator": den,
                "service_target_percent": target,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_evaluation")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
