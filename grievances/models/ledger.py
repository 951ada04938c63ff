"""The grievance ledger (民情台账): matters, their timeline, deadline rules, monthly rollups.

A matter has an **owner** (the first visitor, 首访负责制: fixed at filing, never changed)
and a **handler** (whoever works on it now, at the handling level). Escalation and
reporting up move the handling area and handler; the owner stays accountable.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.fields import RedactedCharField, RedactedTextField
from liaison.models import Cadre, Household, MatterKind, VisitMatter
from responsibility_areas.models import (
    Area,
    AreaLocated,
    AreaLocatedQuerySet,
    Level,
    ancestor_copy,
)

__all__ = [
    "AREA_HANDLING_LEVEL",
    "DONE_STATUSES",
    "OPEN_STATUSES",
    "MatterQuerySet",
    "NotificationKind",
    "Outcome",
    "HandlingLevel",
    "LedgerMonth",
    "Matter",
    "MatterCounter",
    "MatterEvent",
    "MatterKind",
    "MatterSource",
    "MatterStatus",
    "FeedbackChannel",
    "Notification",
    "Satisfaction",
]


class MatterStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED_UP = "reported_up", _("Reported to the higher level")
    RESOLVED = "resolved", _("Resolved")
    EXPLAINED = "explained", _("Explained")
    CLOSED_OUT = "closed_out", _("Closed out")


# Statuses in which a matter is still being worked on: deadlines run and escalate.
OPEN_STATUSES = (MatterStatus.REGISTERED, MatterStatus.IN_PROGRESS, MatterStatus.REPORTED_UP)
# Statuses that wait for the household's feedback and the leader's close-out.
DONE_STATUSES = (MatterStatus.RESOLVED, MatterStatus.EXPLAINED)


class HandlingLevel(models.TextChoices):
    VILLAGE = "village", _("Village level")
    TOWNSHIP = "township", _("Township level")
    COUNTY = "county", _("County level")
    ABOVE = "above", _("Above county level")


# Which handling level an area of the tree belongs to.
AREA_HANDLING_LEVEL = {
    Level.PROVINCE: HandlingLevel.ABOVE,
    Level.CITY: HandlingLevel.ABOVE,
    Level.COUNTY: HandlingLevel.COUNTY,
    Level.TOWNSHIP: HandlingLevel.TOWNSHIP,
    Level.DEPARTMENT: HandlingLevel.COUNTY,
    Level.VILLAGE: HandlingLevel.VILLAGE,
    Level.COMMUNITY: HandlingLevel.VILLAGE,
    Level.GROUP: HandlingLevel.VILLAGE,
}


class MatterSource(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    DUTY_DAY = "duty_day", _("Duty day")
    MAILBOX = "mailbox", _("Mailbox")
    HOTLINE = "hotline", _("Hotline")
    SYMPOSIUM = "symposium", _("Symposium")
    SUPERVISION = "supervision", _("Supervision")
    PUBLIC_REPORT = "public_report", _("Reported by the household (QR code)")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    EXPLAINED = "explained", _("Explained")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class FeedbackChannel(models.TextChoices):
    """How the household's word on a settled matter was collected — never by its owner or
    handler (办理、回访相分离): the people graded by it do not record it."""

    RETURN_CALL = "return_call", _("Return call (电话回访)")
    VISIT = "visit", _("Return visit by someone else (上门回访)")
    HOUSEHOLD = "household", _("The household itself, on its phone")


class MatterCounter(models.Model):
    """The last number issued per county and year; its row is locked while a number is taken."""

    county_code = models.CharField(_("county code"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("matter number counter")
        verbose_name_plural = _("matter number counters")
        constraints = [
            models.UniqueConstraint(
                fields=["county_code", "year"], name="one_counter_per_county_year"
            )
        ]

    def __str__(self):
        return f"{self.county_code}-{self.year}: {self.last}"


def _cadre_id_of(user):
    """The id of ``user``'s cadre record (cached on the user for the request), or None."""
    if not getattr(user, "pk", None) or not user.is_active:
        return None
    if not hasattr(user, "_liaison_cadre_id"):
        user._liaison_cadre_id = (
            Cadre.objects.filter(user=user).values_list("pk", flat=True).first()
        )
    return user._liaison_cadre_id


class MatterQuerySet(AreaLocatedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)

    def late(self, today=None):
        """Past the deadline: still open after it, or settled after it — "matters delayed"
        (seed 000), an accountability case's evidence and the ledger's ``late=true``."""
        today = today or timezone.localdate()
        return self.filter(
            Q(status__in=OPEN_STATUSES, deadline__lt=today)
            | Q(resolved_on__isnull=False, resolved_on__gt=F("deadline"))
        )

    def visible_to(self, user):
        """Matters that arose in or are handled in the user's subtrees; a cadre's own matters."""
        from responsibility_areas.scoping import paths_q, scope_paths

        paths = scope_paths(user)
        if "" in paths:
            return self.all()
        seen = paths_q("area_path", paths) | paths_q("handling_path", paths)
        cadre_id = _cadre_id_of(user)
        if cadre_id is not None:  # ids, not joins: each branch of the OR is one index scan
            seen |= Q(owner_id=cadre_id) | Q(handler_id=cadre_id)
        return self.filter(seen)


class Matter(AreaLocated):
    """A matter in the ledger (民情事项). ``area`` is where it arose (fixed)."""

    # move_area rewrites this copied path too (see responsibility_areas.services).
    extra_path_fields = ("handling_path",)

    # Every index costs on each escalation UPDATE (a moved matter is never a HOT update),
    # so the inherited columns drop the indexes nothing reads: paths keep only their
    # prefix index (Meta), the county its (county, received_on) index, the area none.
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    county = ancestor_copy(_("county"), db_index=False)
    township = ancestor_copy(_("township"), db_index=False)

    # Unique by a constraint (Meta), not unique=True: that would add a second, LIKE index.
    number = models.CharField(_("number"), max_length=24, editable=False)
    applicant = models.ForeignKey(
        Household,
        verbose_name=_("applicant household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
    )
    applicant_name = models.CharField(_("applicant"), max_length=50)
    description = RedactedTextField(_("matter"))
    kind = models.CharField(_("kind"), max_length=16, choices=MatterKind.choices)
    topic = models.CharField(_("topic"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=MatterSource.choices)
    received_on = models.DateField(_("received on"))
    # FK lookups use the (owner, status) and (handler, status) indexes below: every index
    # costs on each escalation UPDATE, so the single-column ones are left out.
    owner = models.ForeignKey(
        Cadre,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_matters",
        db_index=False,
    )
    level = models.CharField(_("handling level"), max_length=16, choices=HandlingLevel.choices)
    handling_area = models.ForeignKey(
        Area,
        verbose_name=_("handling area"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # Copied from handling_area: "the level above" is this path minus one step, in SQL.
    handling_path = models.CharField(_("handling area path"), max_length=255, editable=False)
    handler = models.ForeignKey(
        Cadre,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_matters",
        db_index=False,
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=MatterStatus.choices, default=MatterStatus.REGISTERED
    )
    escalation_count = models.PositiveSmallIntegerField(_("times escalated"), default=0)
    escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    # The deadline a reminder was sent for: one reminder per deadline.
    reminded_for_deadline = models.DateField(_("reminded for deadline"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    resolution = RedactedTextField(_("how it was resolved"), blank=True)
    explanation = RedactedTextField(_("explanation given to the household"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    days_to_resolve = models.PositiveIntegerField(_("days to resolve"), null=True, blank=True)
    feedback = RedactedTextField(_("household feedback"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("feedback collected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    feedback_channel = models.CharField(
        _("feedback collected by way of"),
        max_length=16,
        choices=FeedbackChannel.choices,
        blank=True,
    )
    closed_on = models.DateField(_("closed out on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    visit_matter = models.OneToOneField(
        VisitMatter,
        verbose_name=_("raised in visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_matter",
    )
    # Optimistic lock: every change is UPDATE ... WHERE version = the version read.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger matter")
        verbose_name_plural = _("grievance ledger")
        indexes = [
            # The escalation and reminder sweeps read only open matters by deadline.
            models.Index(
                fields=["deadline", "level"],
                condition=Q(status__in=["registered", "in_progress", "reported_up"]),
                name="matter_open_deadline",
            ),
            models.Index(fields=["owner", "status"], name="matter_owner_status"),
            models.Index(fields=["handler", "status"], name="matter_handler_status"),
            models.Index(fields=["county", "received_on"], name="matter_county_received"),
            # Prefix scans (subtree filters): varchar_pattern_ops on PostgreSQL.
            models.Index(
                fields=["area_path"],
                name="matter_area_path_like",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["handling_path"],
                name="matter_handling_path_like",
                opclasses=["varchar_pattern_ops"],
            ),
            # The ledger list, newest first: which ids a scope sees, read from the index
            # alone (both paths are in it), so a page stops after its rows instead of
            # fetching every matter of the county to sort them.
            models.Index(
                fields=["-id"], include=["area_path", "handling_path"], name="matter_id_paths"
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["number"], name="matter_number_unique")]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("grievances:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.deadline < (today or timezone.localdate())


class MatterEvent(models.Model):
    """One step in a matter's timeline: who, when, from which status to which, and why."""

    matter = models.ForeignKey(  # indexed by (matter, at) below
        Matter,
        verbose_name=_("matter"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(
        _("from status"), max_length=16, choices=MatterStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=MatterStatus.choices)
    note = RedactedTextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("matter event")
        verbose_name_plural = _("matter timeline")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["matter", "at"], name="matterevent_matter_at"),
            models.Index(fields=["action", "at"], name="matterevent_action_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class LedgerMonth(models.Model):
    """The monthly ledger of one area (its whole subtree); recomputed from the matters."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="ledger_months"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    month = models.DateField(_("month"))
    new = models.PositiveIntegerField(_("new"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    explained = models.PositiveIntegerField(_("explained"), default=0)
    closed_out = models.PositiveIntegerField(_("closed out"), default=0)
    pending = models.PositiveIntegerField(_("pending"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    escalated = models.PositiveIntegerField(_("escalated"), default=0)
    # The parts of the figures above, so that months add up (grievances/indicators.py).
    done = models.PositiveIntegerField(_("settled"), default=0)
    on_time = models.PositiveIntegerField(_("settled on time"), default=0)
    overdue_open = models.PositiveIntegerField(_("open past the deadline"), default=0)
    days_total = models.PositiveIntegerField(_("days to settle, summed"), default=0)
    # {kind or topic: [new, open, open past the deadline]} (grievances/indicators.py)
    by_kind = models.JSONField(_("by kind"), default=dict)
    by_topic = models.JSONField(_("by topic"), default=dict)
    on_time_rate = models.FloatField(_("on-time rate"), null=True, blank=True)
    avg_days_to_resolve = models.FloatField(_("average days to resolve"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = AreaLocatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly ledger")
        verbose_name_plural = _("monthly ledgers")
        constraints = [
            models.UniqueConstraint(fields=["area", "month"], name="one_ledger_month_per_area")
        ]

    def __str__(self):
        return f"{self.area} {self.month:%Y-%m}"


class NotificationKind(models.TextChoices):
    ESCALATED = "escalated", _("Escalated")
    REMINDER = "reminder", _("Deadline reminder")
    REPORTED_UP = "reported_up", _("Reported to you")
    REOPENED = "reopened", _("Reopened")
    DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
    PUBLIC_REPORT = "public_report", _("A household reported a matter")
    SUPERVISION_NOTICE = "supervision_notice", _("Supervision notice")


class Notification(models.Model):
    """An in-app message to a user or a cadre (shown when the cadre's user logs in)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # (user, read_at) below
    )
    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("cadre"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # (cadre, read_at) below
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("matter"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    text = RedactedCharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["cadre", "read_at"], name="notification_cadre_unread"),
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
        ]

    def __str__(self):
        return self.text
