"""A user's in-app notifications: theirs, and their cadre's (escalations, reminders...)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from foundation import audit

from .models import Notification

# Public helpers that write nothing.
READS = ("notifications_for",)


def notifications_for(user):
    """Notifications addressed to ``user`` or to the cadre linked to their account."""
    cadre = getattr(user, "cadre", None) if getattr(user, "pk", None) else None
    mine = Q(user_id=user.pk)
    if cadre is not None:
        mine |= Q(cadre_id=cadre.pk)
    return Notification.objects.filter(mine)


@audit.service
def mark_notifications_read(*, actor, ids: list[int] | None = None) -> int:
    """Mark the actor's unread notifications read (only ``ids`` if given); return how many."""
    unread = notifications_for(actor).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    count = unread.update(read_at=timezone.now())
    if count:
        audit.record(actor=actor, action="notifications.read", data={"count": count})
    else:
        audit.nothing_changed()
    return count
