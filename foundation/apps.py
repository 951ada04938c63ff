from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibConfig(AppConfig):
    """The shared library: audit log, crypto, masking, identity checks, scoping filter,
    pagination, outbox, rate limits, idempotency, optimistic versions. It imports no app;
    its own models (the change log, the outbox, rate counters, submissions) live with it."""

    name = "foundation"
    label = "lib"
    verbose_name = _("Shared library")
    default_auto_field = "django.db.models.BigAutoField"
