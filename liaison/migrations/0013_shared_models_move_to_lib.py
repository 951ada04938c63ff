"""The change log, the outbox, rate counters and submissions move to the shared library
(app label ``lib``): in Django's state only; their tables keep their names."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0012_importjob_started_at"),
        ("grievances", "0009_outbox_moves_to_liaison"),
        ("lib", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEvent"),
                migrations.DeleteModel(name="RateCounter"),
                migrations.DeleteModel(name="Submission"),
                migrations.DeleteModel(name="Outbox"),
            ],
            database_operations=[],
        ),
    ]
