"""The outbox model now lives in liaison (its table stays): removed from this app's state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0008_redacted_free_text"),
        ("liaison", "0011_outbox_moves_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Outbox")],
            database_operations=[],
        ),
    ]
