"""Default yearly contact quotas from the regulations (DOMAIN.md §1); admins may change them."""

from django.db import migrations

BY_AREA_LEVEL = {  # level: (contacts, visits into the area)
    "village": (12, 6), "community": (12, 6), "group": (8, 4), "township": (12, 6),
}
BY_RANK = {"province": 3, "bureau": 7, "county": 10, "township": 60}  # days living in the village


def add_defaults(apps, schema_editor):
    ContactQuota = apps.get_model("liaison", "ContactQuota")
    for level, (contacts, visits) in BY_AREA_LEVEL.items():
        ContactQuota.objects.get_or_create(basis="area_level", key=level,
                                           defaults={"min_contacts": contacts, "min_visits": visits})
    for rank, days in BY_RANK.items():
        ContactQuota.objects.get_or_create(basis="rank", key=rank, defaults={"min_stay_days": days})


class Migration(migrations.Migration):
    dependencies = [("liaison", "0002_cadre_commitment_contactquota_household_pairing_and_more")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
