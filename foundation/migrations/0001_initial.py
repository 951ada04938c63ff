"""The shared library's models, taken over from liaison with their tables (state only)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("liaison", "0011_outbox_moves_here"),  # the tables exist from here on
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time")),
                        ("actor_name", models.CharField(max_length=150, verbose_name="user name")),
                        ("action", models.CharField(db_index=True, max_length=64, verbose_name="action")),
                        ("object_type", models.CharField(blank=True, max_length=100, verbose_name="object type")),
                        ("object_id", models.CharField(blank=True, max_length=64, verbose_name="object id")),
                        ("area_path", models.CharField(blank=True, db_index=True, max_length=255, verbose_name="area path")),
                        ("data", models.JSONField(blank=True, default=dict, verbose_name="details")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="user")),
                    ],
                    options={
                        "db_table": "liaison_auditevent",
                        "verbose_name": "change record",
                        "verbose_name_plural": "change log",
                        "ordering": ["-at", "-id"],
                        "indexes": [models.Index(fields=["object_type", "object_id"], name="liaison_aud_object__d08f55_idx")],
                    },
                ),
                migrations.CreateModel(
                    name="RateCounter",
                    fields=[
                        ("bucket", models.CharField(max_length=200, primary_key=True, serialize=False)),
                        ("hits", models.PositiveIntegerField(default=0)),
                        ("expires_at", models.DateTimeField(db_index=True)),
                    ],
                    options={"db_table": "liaison_ratecounter", "verbose_name": "rate counter"},
                ),
                migrations.CreateModel(
                    name="Submission",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=100)),
                        ("scope", models.CharField(max_length=50)),
                        ("object_type", models.CharField(blank=True, max_length=100)),
                        ("object_id", models.CharField(blank=True, max_length=64)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "liaison_submission",
                        "verbose_name": "submission",
                        "constraints": [models.UniqueConstraint(fields=("user", "scope", "key"), name="submission_once")],
                    },
                ),
                migrations.CreateModel(
                    name="Outbox",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("task", models.CharField(max_length=200, verbose_name="task")),
                        ("args", models.JSONField(blank=True, default=list, verbose_name="arguments")),
                        ("kwargs", models.JSONField(blank=True, default=dict, verbose_name="keyword arguments")),
                        ("ref", models.CharField(blank=True, db_index=True, max_length=100, verbose_name="for")),
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
        ),
    ]
