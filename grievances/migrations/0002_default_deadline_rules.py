from django.db import migrations

# Defaults from the regulations: village 15 days, township 30, county and above 60.
DEFAULTS = [("village", 15), ("township", 30), ("county", 60), ("above", 60)]


def add_defaults(apps, schema_editor):
    DeadlineRule = apps.get_model("grievances", "DeadlineRule")
    for level, days in DEFAULTS:
        DeadlineRule.objects.get_or_create(
            level=level, kind="", defaults={"days": days, "working_days": False}
        )


def remove_defaults(apps, schema_editor):
    DeadlineRule = apps.get_model("grievances", "DeadlineRule")
    DeadlineRule.objects.filter(kind="", level__in=[level for level, _ in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("grievances", "0001_ledger")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
