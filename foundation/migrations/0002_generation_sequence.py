"""The data generation (foundation/generation.py) on PostgreSQL: a sequence, shared by every
process and bumped outside any transaction's locks."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS liaison_generation")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS liaison_generation")


class Migration(migrations.Migration):
    dependencies = [("lib", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
