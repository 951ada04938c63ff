"""Joint meetings and supervision notices: each write one audited transaction.

A joint meeting's decision (四定) moves the matter: the fixed leader becomes its handler
and the time limit its deadline, by a conditional UPDATE on the matter's version, with a
``MatterEvent`` in the matter's timeline. A supervision notice about a matter is noted in
the matter's timeline too. Every public function here is an ``@audit.service``.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foundation import audit
from foundation.identity import person_name
from liaison.models import Cadre
from responsibility_areas.models import Area, Membership, Role
from responsibility_areas.scoping import scope_paths

from ..models import (
    OPEN_STATUSES,
    JointMeeting,
    Matter,
    MatterEvent,
    MeetingMatter,
    NoticeStatus,
    Notification,
    NotificationKind,
    SupervisionNotice,
    meeting_level_of,
)
from ._base import MatterError, notification_text

NOTICE_TEXT = gettext_lazy(
    "Supervision notice from %(issuer)s: %(text)s (answer by %(respond_by)s)"
)

# Who may enter a joint meeting's minutes: the township or county office and its leaders.
MINUTE_TAKERS = (Role.CLERK, Role.TOWNSHIP_LEADER, Role.COUNTY_LEADER, Role.ADMINISTRATOR)


def _has_role_over(actor, area: Area, roles) -> bool:
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    return (
        Membership.objects.active()
        .filter(user=actor, role__in=roles, area__path__in=area.ancestor_paths() + [area.path])
        .exists()
    )


def _in_scope(actor, path: str) -> bool:
    return actor is None or any(path.startswith(p) for p in scope_paths(actor))


def _clean(instance, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise MatterError("invalid", " ".join(messages), field) from exc


def _required(text: str, field: str, message: str) -> str:
    if not (text or "").strip():
        raise MatterError("required", message, field)
    return text.strip()


def _matter_event(matter: Matter, *, actor, action: str, note: str, data: dict, at=None):
    return MatterEvent.objects.create(
        matter=matter,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor.get_username() if getattr(actor, "pk", None) else "system",
        action=action,
        from_status=matter.status,
        to_status=matter.status,
        note=note,
        data=data,
    )


# --- Joint meetings --------------------------------------------------------------------------


@audit.service
def record_joint_meeting(
    *,
    actor,
    area: Area,
    held_on: date,
    chair: str,
    attendees: str = "",
    attendee_cadres=(),
    notes: str = "",
) -> JointMeeting:
    """Record a township's or county's joint meeting (its minutes; decisions follow)."""
    level = meeting_level_of(area)
    if level is None:
        raise MatterError(
            "not_meeting_area", _("Joint meetings are held by townships and counties."), "area"
        )
    if not (_in_scope(actor, area.path) and _has_role_over(actor, area, MINUTE_TAKERS)):
        raise MatterError("out_of_scope", _("This area is outside your responsibility."), "area")
    if held_on > timezone.localdate():
        raise MatterError("future_date", _("The meeting date cannot be in the future."), "held_on")
    meeting = JointMeeting(
        level=level,
        held_on=held_on,
        chair=_required(chair, "chair", _("Name the chair.")),
        attendees=attendees.strip(),
        notes=notes.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    meeting.place_in(area)
    _clean(meeting)
    meeting.save()
    cadres = list(attendee_cadres)
    if cadres:
        meeting.attendee_cadres.set(cadres)
    audit.record(
        actor=actor,
        action="joint_meeting.recorded",
        obj=meeting,
        data={
            "area": area.name,
            "held_on": held_on.isoformat(),
            "chair": meeting.chair,
            "attendee_cadres": len(cadres),
        },
    )
    return meeting


def _check_decision(actor, meeting: JointMeeting, matter: Matter, time_limit: date) -> None:
    if not _has_role_over(actor, meeting.area, MINUTE_TAKERS) or not _in_scope(
        actor, meeting.area_path
    ):
        raise MatterError("out_of_scope", _("This area is outside your responsibility."))
    if not (
        matter.area_path.startswith(meeting.area_path)
        or matter.handling_path.startswith(meeting.area_path)
    ):
        raise MatterError("not_in_area", _("This matter is not in the meeting's area."), "matter")
    if matter.status not in OPEN_STATUSES:
        raise MatterError(
            "not_open",
            _("Only matters still being worked on can be decided at a meeting."),
            "matter",
        )
    if MeetingMatter.objects.filter(meeting=meeting, matter=matter).exists():
        raise MatterError(
            "already_decided", _("This matter already has a decision at this meeting."), "matter"
        )
    if time_limit < meeting.held_on:
        raise MatterError(
            "limit_before_meeting",
            _("The time limit cannot be before the meeting."),
            "time_limit",
        )


@audit.service
def decide_matter(
    *,
    actor,
    meeting: JointMeeting,
    matter: Matter,
    decision: str,
    plan: str,
    time_limit: date,
    lead_cadre: Cadre | None = None,
    people: str = "",
    version: int | None = None,
) -> MeetingMatter:
    """Record the meeting's decision on a matter with the four fixes (四定) and apply it.

    The matter's deadline becomes ``time_limit`` and, if a leader is fixed, that cadre
    becomes its handler; the owner stays the owner. ``version`` is the matter's version the
    caller saw: if someone changed the matter since, ``MatterError("stale")``.
    """
    _check_decision(actor, meeting, matter, time_limit)
    item = MeetingMatter(
        meeting=meeting,
        matter=matter,
        lead_cadre=lead_cadre,
        people=people.strip(),
        decision=_required(decision, "decision", _("Write the meeting's decision.")),
        plan=_required(plan, "plan", _("Write the plan.")),
        time_limit=time_limit,
    )
    _clean(item)
    seen = matter.version if version is None else version
    changes = {"deadline": time_limit}
    if lead_cadre is not None:
        changes["handler"] = lead_cadre
    now = timezone.now()
    # The row count decides: 0 means the matter changed (or left the open statuses) since read.
    won = Matter.objects.filter(pk=matter.pk, version=seen, status__in=OPEN_STATUSES).update(
        version=F("version") + 1, updated_at=now, **changes
    )
    if not won:
        raise MatterError(
            "stale", _("This matter was changed by someone else; reload it and try again.")
        )
    item.save()
    old_deadline, old_handler = matter.deadline, matter.handler
    matter.refresh_from_db()
    data = {
        "meeting": meeting.pk,
        "meeting_date": meeting.held_on.isoformat(),
        "meeting_area": meeting.area.name,
        "deadline_from": old_deadline.isoformat(),
        "deadline_to": time_limit.isoformat(),
        "handler_from": old_handler.name if old_handler else "",
        "handler_to": matter.handler.name if matter.handler else "",
        "people": item.people,
        "plan": item.plan,
    }
    _matter_event(
        matter, actor=actor, action="meeting_decision", note=item.decision, data=data, at=now
    )
    audit.record(
        actor=actor,
        action="matter.meeting_decision",
        obj=matter,
        data={"number": matter.number, **data},
    )
    return item


# --- Supervision notices ---------------------------------------------------------------------


@audit.service
def issue_supervision_notice(
    *,
    actor,
    text: str,
    respond_by: date,
    matter: Matter | None = None,
    recipient: Cadre | None = None,
) -> SupervisionNotice:
    """A supervisor over the area asks a cadre to answer by ``respond_by``.

    About a matter: the recipient defaults to its handler (else its owner), and the notice
    enters the matter's timeline. About a cadre: ``recipient`` is that cadre.
    """
    if matter is None and recipient is None:
        raise MatterError("no_subject", _("Choose a matter or a cadre."), "matter")
    if recipient is None:
        recipient = matter.handler or matter.owner
    area = matter.area if matter is not None else recipient.area
    from responsibility_areas.permissions import Action, may

    if not (_in_scope(actor, area.path) and (actor is None or may(actor, Action.SUPERVISE, area))):
        raise MatterError(
            "not_supervisor", _("Only a supervisor of this area can issue a supervision notice.")
        )
    if respond_by < timezone.localdate():
        raise MatterError(
            "past_date", _("The response deadline cannot be in the past."), "respond_by"
        )
    notice = SupervisionNotice(
        matter=matter,
        recipient=recipient,
        respond_by=respond_by,
        text=_required(text, "text", _("Write the notice.")),
        issued_by=actor if getattr(actor, "pk", None) else None,
        issuer_name=person_name(actor) if getattr(actor, "pk", None) else "system",
    )
    notice.place_in(area)
    _clean(notice)
    notice.save()
    # The recipient reads it in 我的通知 and answers it from 待办.
    Notification.objects.create(
        cadre=recipient,
        matter=matter,
        kind=NotificationKind.SUPERVISION_NOTICE,
        text=notification_text(
            NOTICE_TEXT,
            {
                "issuer": notice.issuer_name,
                "text": notice.text[:200],
                "respond_by": f"{respond_by.year}年{respond_by.month}月{respond_by.day}日",
            },
        ),
        created_at=timezone.now(),
    )
    if matter is not None:
        _matter_event(
            matter,
            actor=actor,
            action="supervision_notice",
            note=notice.text,
            data={
                "notice": notice.pk,
                "recipient": recipient.name,
                "respond_by": respond_by.isoformat(),
            },
        )
    audit.record(
        actor=actor,
        action="supervision_notice.issued",
        obj=notice,
        data={
            "recipient": recipient.name,
            "matter": matter.number if matter else "",
            "respond_by": respond_by.isoformat(),
        },
    )
    return notice


def _require_recipient(actor, notice: SupervisionNotice) -> None:
    cadre = getattr(actor, "cadre", None) if getattr(actor, "pk", None) else None
    if actor is not None and (cadre is None or cadre.pk != notice.recipient_id):
        raise MatterError(
            "not_recipient", _("Only the cadre the notice is addressed to can answer it.")
        )


@audit.service
def acknowledge_notice(*, actor, notice: SupervisionNotice) -> SupervisionNotice:
    """The recipient confirms receipt; acknowledging twice changes nothing."""
    _require_recipient(actor, notice)
    now = timezone.now()
    # Only an issued notice moves; a second click (or a second tab) finds nothing to do.
    won = SupervisionNotice.objects.filter(pk=notice.pk, status=NoticeStatus.ISSUED).update(
        status=NoticeStatus.ACKNOWLEDGED, acknowledged_at=now
    )
    notice.refresh_from_db()
    if not won:
        audit.nothing_changed()
        return notice
    audit.record(
        actor=actor,
        action="supervision_notice.acknowledged",
        obj=notice,
        data={"recipient": notice.recipient.name},
    )
    return notice


@audit.service
def respond_to_notice(*, actor, notice: SupervisionNotice, response: str) -> SupervisionNotice:
    """The recipient answers (acknowledging it if not done yet); a notice is answered once."""
    _require_recipient(actor, notice)
    response = _required(response, "response", _("Write the response."))
    now = timezone.now()
    # The status guard makes a second answer (two tabs, a double click) lose, not overwrite.
    won = SupervisionNotice.objects.filter(
        pk=notice.pk, status__in=[NoticeStatus.ISSUED, NoticeStatus.ACKNOWLEDGED]
    ).update(status=NoticeStatus.RESPONDED, responded_at=now, response=response)
    if not won:
        raise MatterError("already_responded", _("This notice has already been answered."))
    SupervisionNotice.objects.filter(pk=notice.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now
    )
    notice.refresh_from_db()
    late = notice.respond_by < timezone.localdate()
    if notice.matter_id is not None:
        _matter_event(
            notice.matter,
            actor=actor,
            action="supervision_response",
            note=response,
            data={"notice": notice.pk, "late": late},
        )
    audit.record(
        actor=actor,
        action="supervision_notice.responded",
        obj=notice,
        data={"recipient": notice.recipient.name, "late": late},
    )
    return notice
