"""Joint meetings (民情联席会议) and supervision notices (督办通知).

Imported at the end of ``grievances/models.py`` so that they belong to the app. A joint
meeting reviews matters and fixes, for each, a leader, the people, a plan and a time limit
(四定); a supervision notice asks a cadre to answer by a date.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.fields import RedactedTextField
from liaison.models import Cadre
from responsibility_areas.models import Area, AreaLocated, AreaLocatedQuerySet, Level

from .ledger import Matter

__all__ = [
    "DEFAULT_INTERVAL_MONTHS",
    "MEETING_LEVEL_OF_AREA",
    "JointMeetingQuerySet",
    "SupervisionNoticeQuerySet",
    "meeting_level_of",
    "JointMeeting",
    "MeetingLevel",
    "MeetingMatter",
    "NoticeStatus",
    "SupervisionNotice",
    "meeting_intervals",
    "months_before",
]


class MeetingLevel(models.TextChoices):
    TOWNSHIP = "township", _("Township joint meeting")
    COUNTY = "county", _("County joint meeting")


# Which areas hold joint meetings, and at which level.
MEETING_LEVEL_OF_AREA = {Level.TOWNSHIP: MeetingLevel.TOWNSHIP, Level.COUNTY: MeetingLevel.COUNTY}
# Township monthly, county every two months (DOMAIN.md §4); settings may override either.
DEFAULT_INTERVAL_MONTHS = {MeetingLevel.TOWNSHIP: 1, MeetingLevel.COUNTY: 2}


def meeting_intervals() -> dict[str, int]:
    """Months between joint meetings per level: the defaults, overridden by
    ``settings.JOINT_MEETING_INTERVAL_MONTHS`` (e.g. ``{"county": 3}`` for quarterly)."""
    return {**DEFAULT_INTERVAL_MONTHS, **getattr(settings, "JOINT_MEETING_INTERVAL_MONTHS", {})}


def months_before(day: date, months: int) -> date:
    """``day`` moved back ``months`` calendar months (the 31st becomes the month's last day)."""
    import calendar

    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


class JointMeetingQuerySet(AreaLocatedQuerySet):
    def schedule(self, areas, today: date | None = None):
        """``areas`` (townships and counties) annotated with ``last_held`` and ``is_due``.

        One query: the latest meeting per area is a correlated subquery, and "due" is
        ``last_held`` on or before today minus the level's interval (or never held).
        """
        today = today or timezone.localdate()
        latest = (
            self.model.objects.filter(area=OuterRef("pk"))
            .order_by("-held_on")
            .values("held_on")[:1]
        )
        due = Q(last_held__isnull=True)
        for level, months in meeting_intervals().items():
            area_level = Level.TOWNSHIP if level == MeetingLevel.TOWNSHIP else Level.COUNTY
            due |= Q(level=area_level, last_held__lte=months_before(today, months))
        return (
            areas.filter(level__in=list(MEETING_LEVEL_OF_AREA))
            .annotate(last_held=Subquery(latest))
            .annotate(is_due=models.ExpressionWrapper(due, output_field=models.BooleanField()))
        )

    def due_areas(self, areas, today: date | None = None):
        """The townships and counties among ``areas`` whose next joint meeting is due."""
        return self.schedule(areas, today).filter(is_due=True)


class JointMeeting(AreaLocated):
    """A joint meeting of a township or county: when, who chaired, who attended, notes."""

    level = models.CharField(_("level"), max_length=16, choices=MeetingLevel.choices)
    held_on = models.DateField(_("held on"))
    chair = models.CharField(_("chaired by"), max_length=100)
    attendees = RedactedTextField(_("attendees"), blank=True)
    attendee_cadres = models.ManyToManyField(
        Cadre, verbose_name=_("attending cadres"), blank=True, related_name="joint_meetings"
    )
    notes = RedactedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = JointMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["area", "held_on"], name="jointmeeting_area_held")]

    def __str__(self):
        return f"{self.area} {self.held_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.pk])


class MeetingMatter(models.Model):
    """A matter discussed at a joint meeting and its decision with the four fixes (四定)."""

    meeting = models.ForeignKey(
        JointMeeting,
        verbose_name=_("joint meeting"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("matter"),
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    decision = RedactedTextField(_("decision"))
    lead_cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    people = RedactedTextField(_("people"), blank=True)
    plan = RedactedTextField(_("plan"))
    time_limit = models.DateField(_("time limit"))
    decided_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "matter"], name="one_decision_per_meeting_matter"
            )
        ]

    def __str__(self):
        return f"{self.meeting} · {self.matter}"


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESPONDED = "responded", _("Responded")


class SupervisionNoticeQuerySet(AreaLocatedQuerySet):
    def unanswered(self):
        return self.exclude(status=NoticeStatus.RESPONDED)

    def overdue(self, today: date | None = None):
        """Notices still without a response after their response deadline."""
        return self.unanswered().filter(respond_by__lt=today or timezone.localdate())

    def received_by(self, cadre):
        return self.filter(recipient=cadre)

    def issued_by(self, user):
        return self.filter(issued_by=user)


class SupervisionNotice(AreaLocated):
    """A supervision notice (督办通知) to a cadre, about a matter or the cadre's own work."""

    matter = models.ForeignKey(
        Matter,
        verbose_name=_("matter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    recipient = models.ForeignKey(
        Cadre,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issuer_name = models.CharField(_("issued by"), max_length=150)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    text = RedactedTextField(_("notice"))
    respond_by = models.DateField(_("respond by"))
    status = models.CharField(
        _("status"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    response = RedactedTextField(_("response"), blank=True)

    objects = SupervisionNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "status"], name="notice_recipient_status"),
            models.Index(
                fields=["respond_by"], condition=~Q(status="responded"), name="notice_unanswered"
            ),
        ]

    def __str__(self):
        return f"{self.recipient} {self.issued_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("supervision:detail", args=[self.pk])

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status != NoticeStatus.RESPONDED and self.respond_by < (
            today or timezone.localdate()
        )


def meeting_level_of(area: Area) -> str | None:
    return MEETING_LEVEL_OF_AREA.get(area.level)
