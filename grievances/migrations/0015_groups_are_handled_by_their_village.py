"""A village group (组) is no handling tier: matters left at a group move to its village,
whose responsible cadre becomes the handler (issue 21: 47 of 68 demo matters sat at group
level with no handler, and one escalated "village → village")."""

from django.db import migrations
from django.utils import timezone


def to_the_village(apps, schema_editor):
    Matter = apps.get_model("grievances", "Matter")
    Area = apps.get_model("responsibility_areas", "Area")
    Assignment = apps.get_model("liaison", "ResponsibilityAssignment")
    today = timezone.localdate()
    at_groups = Matter.objects.filter(handling_area__level="group").values_list(
        "pk", "handling_path"
    )
    villages = {}
    for pk, path in at_groups.iterator():
        village_path = path[:-4]
        if village_path not in villages:
            village = Area.objects.filter(path=village_path).first()
            handler = (
                Assignment.objects.filter(
                    area=village, duty="responsible", start_date__lte=today
                )
                .exclude(end_date__lte=today)
                .order_by("-start_date")
                .values_list("cadre_id", flat=True)
                .first()
                if village
                else None
            )
            villages[village_path] = (village, handler)
        village, handler = villages[village_path]
        if village is None:
            continue
        Matter.objects.filter(pk=pk).update(
            handling_area=village, handling_path=village.path, handler_id=handler, level="village"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0014_feedback_collected_by"),
        ("liaison", "0018_list_by_scope_in_id_order"),
        ("responsibility_areas", "0001_initial"),
    ]

    operations = [migrations.RunPython(to_the_village, migrations.RunPython.noop)]
