"""Moving a matter through the state machine (start, report up, resolve, explain,
feedback, close out, reopen, extend): one audited transaction each.

Every transition is a conditional UPDATE on (pk, status, version): its row count
decides. Two clerks saving the same matter at once: the second finds the version
moved and gets ``MatterError("stale")``; nothing is overwritten.
"""

from __future__ import annotations

from datetime import date

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foundation import audit
from responsibility_areas.models import Area

from ..deadlines import deadline_for
from ..models import (
    FeedbackChannel,
    Matter,
    Notification,
    NotificationKind,
    Outcome,
    Satisfaction,
)
from ._base import (
    MatterError,
    notification,
    notification_text,
    require_handler,
    require_leader,
    require_visible,
    responsible_cadre_id,
)
from .matters import (  # noqa: F401
    ACTION_LABELS,
    REOPENED_TEXT,
    REPORTED_UP_TEXT,
    TRANSITIONS,
    S,
    _event,
    _full_clean,
    handling_level_of,
    handling_tier,
)

EXTENDED_TEXT = gettext_lazy("The deadline of matter %(number)s was extended to %(deadline)s")


def _illegal(matter: Matter, action: str) -> MatterError:
    return MatterError(
        "illegal_transition",
        _("This matter is “%(status)s”: you cannot %(action)s it now.")
        % {"status": matter.get_status_display(), "action": ACTION_LABELS[action]},
    )


def _check_version(matter: Matter, version: int | None) -> None:
    """The caller saw an older matter: whatever its status is now, someone else moved it —
    say so ("已被他人修改"), not that the new status forbids the step."""
    if version is not None and version != matter.version:
        raise MatterError(
            "stale", _("This matter was changed by someone else; reload it and try again.")
        )


def _transition(
    *,
    actor,
    matter: Matter,
    action: str,
    version: int | None,
    note: str = "",
    data: dict | None = None,
    to_status: str | None = None,
    **changes,
) -> Matter:
    """Apply ``action`` if the matter is still as the caller saw it (status and version)."""
    allowed, target = TRANSITIONS[action]
    target = to_status or target or matter.status
    _check_version(matter, version)
    if matter.status not in allowed:
        raise _illegal(matter, action)
    seen = matter.version if version is None else version
    now = timezone.now()
    # The row count decides: 0 means someone changed the matter since the caller read it.
    won = Matter.objects.filter(pk=matter.pk, status=matter.status, version=seen).update(
        status=target, version=F("version") + 1, updated_at=now, **changes
    )
    if not won:
        raise MatterError(
            "stale", _("This matter was changed by someone else; reload it and try again.")
        )
    from_status = matter.status
    matter.refresh_from_db()
    _event(
        matter,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=target,
        note=note,
        data=data,
        at=now,
    )
    audit.record(
        actor=actor,
        action=f"matter.{action}",
        obj=matter,
        data={"number": matter.number, "from": from_status, "to": target, **(data or {})},
    )
    return matter


def _required(text: str, field: str, message) -> str:
    if not (text or "").strip():
        raise MatterError("required", str(message), field)
    return text.strip()


@audit.service
def start_work(*, actor, matter: Matter, version: int | None = None, note: str = "") -> Matter:
    """The handling level starts on a registered or reported-up matter."""
    require_handler(actor, matter)
    return _transition(actor=actor, matter=matter, action="start_work", version=version, note=note)


@audit.service
def report_up(*, actor, matter: Matter, reason: str, version: int | None = None) -> Matter:
    """The owner hands a matter this level cannot solve to the level above.

    The handling area becomes the parent area, its responsible cadre the handler, and the
    deadline starts again with that level's rule. The owner stays the owner.
    """
    require_visible(actor, matter)
    cadre = getattr(actor, "cadre", None) if getattr(actor, "pk", None) else None
    if cadre is None or cadre.pk != matter.owner_id:
        raise MatterError(
            "not_owner", _("Only the owner (the first visitor) can report a matter up.")
        )
    if matter.status not in TRANSITIONS["report_up"][0]:
        raise _illegal(matter, "report_up")
    reason = _required(reason, "reason", _("Say why this level cannot solve it."))
    parent = Area.objects.filter(path=matter.handling_path[: -Area.steplen]).first()
    parent = handling_tier(parent) if parent is not None else None
    if parent is None:
        raise MatterError("top_level", _("There is no higher level to report to."))
    level = handling_level_of(parent)
    today = timezone.localdate()
    deadline = deadline_for(level, matter.kind, today, matter.county_id)
    handler_id = responsible_cadre_id(parent)
    old_area = matter.handling_area
    matter = _transition(
        actor=actor,
        matter=matter,
        action="report_up",
        version=version,
        note=reason,
        data={
            "from_area": old_area.name,
            "to_area": parent.name,
            "to_level": level,
            "deadline": deadline.isoformat(),
        },
        handling_area=parent,
        handling_path=parent.path,
        handler_id=handler_id,
        level=level,
        deadline=deadline,
    )
    if handler_id is not None:
        text = notification_text(
            REPORTED_UP_TEXT,
            {"number": matter.number, "area": parent.name, "deadline": deadline.isoformat()},
        )
        Notification.objects.bulk_create(
            [
                notification(
                    cadre_id=handler_id,
                    matter_id=matter.pk,
                    kind=NotificationKind.REPORTED_UP,
                    text=text,
                )
            ]
        )
    return matter


def _resolved_fields(matter: Matter, outcome: str) -> dict:
    today = timezone.localdate()
    return {
        "outcome": outcome,
        "resolved_on": today,
        "days_to_resolve": max((today - matter.received_on).days, 0),
    }


@audit.service
def resolve(*, actor, matter: Matter, resolution: str, version: int | None = None) -> Matter:
    """The matter was solved; the household's feedback and the close-out follow."""
    require_handler(actor, matter)
    resolution = _required(resolution, "resolution", _("Say how the matter was resolved."))
    return _transition(
        actor=actor,
        matter=matter,
        action="resolve",
        version=version,
        note=resolution,
        resolution=resolution,
        **_resolved_fields(matter, Outcome.RESOLVED),
    )


@audit.service
def explain(*, actor, matter: Matter, explanation: str, version: int | None = None) -> Matter:
    """Close as "explained": it cannot be solved for policy or legal reasons, told to the household."""
    require_handler(actor, matter)
    explanation = _required(
        explanation, "explanation", _("Write the explanation given to the household.")
    )
    return _transition(
        actor=actor,
        matter=matter,
        action="explain",
        version=version,
        note=explanation,
        explanation=explanation,
        **_resolved_fields(matter, Outcome.EXPLAINED),
    )


def _checked_feedback(feedback: str, satisfaction: str) -> tuple[str, str]:
    feedback = _required(feedback, "feedback", _("Record the household's feedback."))
    if satisfaction not in Satisfaction.values:
        raise MatterError(
            "no_satisfaction", _("Record how satisfied the household is."), "satisfaction"
        )
    return feedback, satisfaction


def _collected(actor, matter: Matter, channel: str) -> dict:
    """Who collects the household's word, and how — never the matter's owner or handler
    (they are graded by it), and only someone whose role collects feedback."""
    from responsibility_areas.permissions import Action, may

    if channel not in FeedbackChannel.values:
        raise MatterError("bad_channel", _("Say how the feedback was collected."), "channel")
    if actor is None:  # a command or test acting as the system
        return {"feedback_by": None, "feedback_channel": channel}
    cadre = getattr(actor, "cadre", None)
    if cadre is not None and cadre.pk in (matter.owner_id, matter.handler_id):
        raise MatterError(
            "own_matter",
            _(
                "The owner and the handler of a matter do not record the household's feedback "
                "on it: a return call by someone else does."
            ),
            "feedback",
        )
    if not may(actor, Action.FEEDBACK, matter.area):
        raise MatterError(
            "not_collector", _("Your role does not collect households' feedback."), "feedback"
        )
    return {"feedback_by": actor, "feedback_channel": channel}


def _reopen(actor, matter, reason, version, **changes) -> Matter:
    matter = _transition(
        actor=actor,
        matter=matter,
        action="reopen",
        version=version,
        note=reason,
        outcome="",
        resolved_on=None,
        days_to_resolve=None,
        closed_on=None,
        closed_by=None,
        **changes,
    )
    recipients = {matter.owner_id, matter.handler_id} - {None}
    text = notification_text(REOPENED_TEXT, {"number": matter.number, "reason": reason})
    Notification.objects.bulk_create(
        notification(cadre_id=c, matter_id=matter.pk, kind=NotificationKind.REOPENED, text=text)
        for c in sorted(recipients)
    )
    return matter


@audit.service
def record_feedback(
    *,
    actor,
    matter: Matter,
    feedback: str,
    satisfaction: str,
    channel: str = FeedbackChannel.RETURN_CALL,
    version: int | None = None,
) -> Matter:
    """Someone other than the owner and handler (a clerk's return call, a village reporter)
    records the household's feedback; a dissatisfied household reopens the matter."""
    require_visible(actor, matter)
    collected = _collected(actor, matter, channel)
    feedback, satisfaction = _checked_feedback(feedback, satisfaction)
    if satisfaction == Satisfaction.DISSATISFIED:
        return _reopen(
            actor,
            matter,
            feedback,
            version,
            feedback=feedback,
            satisfaction=satisfaction,
            **collected,
        )
    return _transition(
        actor=actor,
        matter=matter,
        action="record_feedback",
        version=version,
        note=feedback,
        data={"satisfaction": satisfaction, "channel": channel},
        feedback=feedback,
        satisfaction=satisfaction,
        **collected,
    )


@audit.service
def close_out(
    *,
    actor,
    matter: Matter,
    feedback: str = "",
    satisfaction: str = "",
    channel: str = FeedbackChannel.RETURN_CALL,
    version: int | None = None,
) -> Matter:
    """销号: a leader of the handling level approves, with the household's feedback.

    The feedback was collected before (``record_feedback``) or is given here — then the
    leader collected it, which the owner or handler may not. A dissatisfied household
    reopens the matter instead of closing it.
    """
    require_leader(actor, matter)
    _check_version(matter, version)
    if matter.status not in TRANSITIONS["close_out"][0]:
        raise _illegal(matter, "close_out")
    given_here = bool(feedback or satisfaction) or matter.feedback_channel == ""
    collected = _collected(actor, matter, channel) if given_here else {}
    feedback, satisfaction = _checked_feedback(
        feedback or matter.feedback, satisfaction or matter.satisfaction
    )
    if satisfaction == Satisfaction.DISSATISFIED:
        return _reopen(
            actor,
            matter,
            feedback,
            version,
            feedback=feedback,
            satisfaction=satisfaction,
            **collected,
        )
    return _transition(
        actor=actor,
        matter=matter,
        action="close_out",
        version=version,
        note=feedback,
        data={"satisfaction": satisfaction},
        feedback=feedback,
        satisfaction=satisfaction,
        closed_on=timezone.localdate(),
        closed_by=actor,
        **collected,
    )


@audit.service
def reopen(*, actor, matter: Matter, reason: str, version: int | None = None) -> Matter:
    """Back to work on a resolved, explained or closed-out matter (the reason is required)."""
    require_handler(actor, matter)
    _check_version(matter, version)
    if matter.status not in TRANSITIONS["reopen"][0]:
        raise _illegal(matter, "reopen")
    reason = _required(reason, "reason", _("Say why the matter is reopened."))
    return _reopen(actor, matter, reason, version)


@audit.service
def extend_deadline(
    *, actor, matter: Matter, deadline: date, reason: str, version: int | None = None
) -> Matter:
    """A leader of the handling level gives more time; a later lapse escalates again."""
    require_leader(actor, matter)
    _check_version(matter, version)
    if matter.status not in TRANSITIONS["extend_deadline"][0]:
        raise _illegal(matter, "extend_deadline")
    reason = _required(reason, "reason", _("Say why the deadline is extended."))
    if deadline <= matter.deadline:
        raise MatterError(
            "not_later", _("The new deadline must be later than the current one."), "deadline"
        )
    old = matter.deadline
    matter = _transition(
        actor=actor,
        matter=matter,
        action="extend_deadline",
        version=version,
        note=reason,
        deadline=deadline,
        data={"from": old.isoformat(), "to": deadline.isoformat()},
    )
    # Whoever works to the deadline is told it moved (handler and owner).
    text = notification_text(
        EXTENDED_TEXT,
        {
            "number": matter.number,
            "deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日",
        },
    )
    Notification.objects.bulk_create(
        notification(
            cadre_id=c, matter_id=matter.pk, kind=NotificationKind.DEADLINE_EXTENDED, text=text
        )
        for c in sorted({matter.owner_id, matter.handler_id} - {None})
    )
    return matter
