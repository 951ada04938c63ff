"""The outbox moves from grievances to liaison (a lower layer: every app may queue tasks).

The table keeps its name (grievances_outbox): the model changes app in Django's state only,
then gains ``kwargs`` and ``ref``.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0010_versions_and_submissions"),
        ("grievances", "0001_ledger"),  # the table is created there
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Outbox",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("task", models.CharField(max_length=200, verbose_name="task")),
                        ("args", models.JSONField(blank=True, default=list, verbose_name="arguments")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                        ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                        ("last_error", models.CharField(blank=True, max_length=300, verbose_name="last error")),
                    ],
                    options={
                        "db_table": "grievances_outbox",
                        "verbose_name": "outbox task",
                        "verbose_name_plural": "task outbox",
                        "indexes": [models.Index(condition=models.Q(("sent_at__isnull", True)), fields=["created_at"], name="outbox_unsent")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="outbox",
            name="kwargs",
            field=models.JSONField(blank=True, default=dict, verbose_name="keyword arguments"),
        ),
        migrations.AddField(
            model_name="outbox",
            name="ref",
            field=models.CharField(blank=True, db_index=True, max_length=100, verbose_name="for"),
        ),
    ]
