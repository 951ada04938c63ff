"""Spreadsheet imports: the job a clerk's upload becomes (its file, check, outcome)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from responsibility_areas.models import ScopedQuerySet

# --- Spreadsheet imports ---------------------------------------------------------------------


class ImportKind(models.TextChoices):
    ROSTER = "roster", _("Pairing roster")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWING = "previewing", _("Checking")
    PREVIEWED = "previewed", _("Checked")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


class ImportJobQuerySet(ScopedQuerySet):
    # The uploader's scope at upload time: a job is seen by whoever sees that whole area.
    scope_field = "area_path"


class ImportJob(models.Model):
    """One uploaded file and what became of it: the import history (who, when, hash, counts)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When the current run took the job (a run silent past LIAISON_IMPORT_STALL_MINUTES
    # with no live holder of its lock is marked failed; see fail_stalled_imports).
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ImportKind.choices, default=ImportKind.ROSTER
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    # Relative to MEDIA_ROOT, under a generated name (never the client's file name).
    stored_path = models.CharField(_("stored file"), max_length=255)
    # The file holds full ID numbers: deleted LIAISON_IMPORT_KEEP_DAYS after the upload.
    file_deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    area_path = models.CharField(_("area path"), max_length=255, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    valid_rows_only = models.BooleanField(_("import only the valid rows"), default=False)
    # Each check or import queued is a new attempt; its task carries the number and does
    # nothing once the job has moved to another attempt (a redelivered, superseded run).
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    notices = models.JSONField(_("notices"), default=list, blank=True)
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in total"), default=0)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
