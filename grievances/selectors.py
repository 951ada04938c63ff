"""Reads over the ledger that other pages compose (the cadre's page, the home page).

Every selector that returns people's rows takes the viewer first and goes through
``visible_to``: what the viewer may not see is not there.
"""

from __future__ import annotations

from django.db.models import Q

from .models import Matter, MatterStatus, SupervisionNotice
from .models.ledger import DONE_STATUSES


def open_matters_of_cadre(viewer, cadre):
    """Matters ``cadre`` owns (first visitor) or handles now, not closed out, that ``viewer`` sees.

    Soonest deadline first: what the cadre must act on today comes first.
    """
    return (
        Matter.objects.visible_to(viewer)
        .filter(Q(owner=cadre) | Q(handler=cadre))
        .exclude(status=MatterStatus.CLOSED_OUT)
        .select_related("applicant", "handling_area")
        .order_by("deadline", "id")
    )


# --- To-do lists (待办) ------------------------------------------------------------------------
#
# Each returns a queryset (a page of it is one indexed query); the home page takes the first
# few and counts the rest. ``viewer`` first: nothing outside the viewer's scope is listed.


def due_soon_date(today):
    """The last day that counts as "due soon": three working days from ``today``."""
    from .deadlines import add_working_days

    return add_working_days(today, 3)


def matters_due(viewer, area, today):
    """Open matters handled in ``area``'s subtree, overdue or due within 3 working days."""
    return (
        Matter.objects.visible_to(viewer)
        .open()
        .filter(handling_path__startswith=area.path, deadline__lte=due_soon_date(today))
        .select_related("owner", "handling_area")
        .order_by("deadline", "id")
    )


def awaiting_feedback(viewer, area):
    """Settled matters of ``area``'s subtree whose household's feedback is not recorded yet."""
    return (
        Matter.objects.visible_to(viewer)
        .filter(
            handling_path__startswith=area.path,
            status__in=DONE_STATUSES,
            satisfaction="",
        )
        .select_related("owner")
        .order_by("resolved_on", "id")
    )


def awaiting_close_out(viewer, areas_led):
    """Settled matters with the feedback recorded, handled in an area ``viewer`` leads or below
    it (a leader approves the close-outs of their level and the levels under it): 待销号."""
    if not areas_led:
        return Matter.objects.none()
    under = Q()
    for area in areas_led:
        under |= Q(handling_path__startswith=area.path)
    return (
        Matter.objects.visible_to(viewer)
        .filter(under, status__in=DONE_STATUSES)
        .exclude(satisfaction="")
        .select_related("owner")
        .order_by("resolved_on", "id")
    )


def escalated_to(viewer, areas_led):
    """Open matters escalated up to an area ``viewer`` leads (升级督办到本级)."""
    if not areas_led:
        return Matter.objects.none()
    return (
        Matter.objects.visible_to(viewer)
        .open()
        .filter(handling_area__in=areas_led, escalation_count__gt=0)
        .select_related("owner")
        .order_by("deadline", "id")
    )


def notices_to_answer(viewer, cadre):
    """Supervision notices ``cadre`` received and has not answered yet."""
    if cadre is None:
        return SupervisionNotice.objects.none()
    notices = SupervisionNotice.objects.received_by(cadre)
    if getattr(viewer, "cadre", None) != cadre:  # one's own are one's own, wherever issued
        notices = notices.visible_to(viewer)
    return notices.unanswered().select_related("matter").order_by("respond_by", "id")


def matters_of_household(viewer, household):
    """The ledger's matters a household raised, newest first, as far as ``viewer`` sees."""
    return (
        Matter.objects.visible_to(viewer)
        .filter(applicant=household)
        .select_related("owner", "handler")
        .order_by("-received_on", "-id")
    )


def notices_awaiting_answer(viewer):
    """Supervision notices ``viewer`` issued that are not answered yet (soonest first)."""
    return (
        SupervisionNotice.objects.visible_to(viewer)
        .issued_by(viewer)
        .unanswered()
        .select_related("matter", "recipient")
        .order_by("respond_by", "id")
    )


def unread_notifications(viewer):
    """``viewer``'s own unread notifications, newest first (addressed to them or to their
    cadre: nobody reads another's)."""
    from .inbox import notifications_for

    return notifications_for(viewer).filter(read_at__isnull=True).order_by("-created_at", "-id")


def reports_to_accept(viewer, cadre=None):
    """Public reports waiting to be taken into the ledger: ``cadre``'s own, or in scope."""
    from .models import PublicReport, ReportStatus

    waiting = PublicReport.objects.filter(status=ReportStatus.RECEIVED)
    if cadre is not None:
        waiting = waiting.filter(cadre=cadre)
    else:
        waiting = waiting.visible_to(viewer)
    return waiting.select_related("household", "cadre").order_by("created_at", "id")
