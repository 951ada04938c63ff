"""The shared library's own tables (they keep the names they were created with)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet


class RateCounter(models.Model):
    """Requests counted per key and time window (``foundation.ratelimit``).

    In the database, not in a cache: counted the same by every web worker, and still
    counted while Redis is down.
    """

    bucket = models.CharField(max_length=200, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "liaison_ratecounter"
        verbose_name = _("rate counter")

    def __str__(self):
        return f"{self.bucket}: {self.hits}"


class Submission(models.Model):
    """One create form or API call, by its token: the second try finds the first result.

    ``foundation.idempotency`` writes it in the same transaction as what it created, so
    a submission is either wholly done (and remembered) or not at all.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    scope = models.CharField(max_length=50)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The API request's body digest: the same key with another body is refused (422).
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "liaison_submission"
        verbose_name = _("submission")
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="submission_once")
        ]

    def __str__(self):
        return f"{self.scope} {self.key}"


class Outbox(models.Model):
    """A task to queue, written in the caller's transaction; drained when the broker is back.

    ``foundation.outbox``. ``ref`` names what the task is for (``import:12``) so a page can
    say "queued, starts when the task queue is back". The table keeps its first name.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    ref = models.CharField(_("for"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Set by the worker that takes the task (foundation.outbox.mark_started): only then is it
    # handed over; a row sent and never started is sent again (the broker lost it).
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sends = models.PositiveSmallIntegerField(_("sends"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        db_table = "grievances_outbox"
        verbose_name = _("outbox task")
        verbose_name_plural = _("task outbox")
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent"
            ),
            models.Index(
                fields=["sent_at"],
                condition=Q(sent_at__isnull=False, started_at__isnull=True),
                name="outbox_unstarted",
            ),
        ]

    def __str__(self):
        return f"{self.task} {self.ref}"


class AuditEventQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class AuditEvent(models.Model):
    """One change made through a service: who, when, what, where in the area tree."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("user name"), max_length=150)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    area_path = models.CharField(_("area path"), max_length=255, blank=True, db_index=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = "liaison_auditevent"
        verbose_name = _("change record")
        verbose_name_plural = _("change log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"


# --- People and their links ----------------------------------------------------------------


class ApiToken(models.Model):
    """An API token. Only its SHA-256 is stored: no page, the admin included, and no backup
    can show a usable key — it is shown once, to whoever logged in for it. It expires
    (``LIAISON_API_TOKEN_DAYS``), can be revoked, and stops working when its user's
    password changes (it remembers a fingerprint of the password it was issued under)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(_("key digest"), max_length=64, unique=True)
    password_fingerprint = models.CharField(max_length=16)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"
