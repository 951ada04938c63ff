"""Template helpers of the ledger pages."""

from django import template

from grievances.exports import redact as _redact

register = template.Library()


@register.filter
def redact(text):
    """Free text with resident ID numbers and mobile numbers masked."""
    return _redact(text)


@register.simple_tag(takes_context=True)
def due_mark(context, matter):
    """The marks 待办 uses, wherever a deadline shows: red 超期 past it, amber 即将到期 within
    three working days; nothing on a matter already done."""
    from django.utils import timezone
    from django.utils.html import format_html
    from django.utils.translation import gettext as _

    from grievances.models import OPEN_STATUSES
    from grievances.selectors import due_soon_date

    if matter.status not in OPEN_STATUSES or matter.deadline is None:
        return ""
    days = context.render_context.get("due_mark_days")
    if days is None:  # once per page: the calendar is asked once
        today = timezone.localdate()
        days = context.render_context["due_mark_days"] = (today, due_soon_date(today))
    today, soon = days
    if matter.deadline < today:
        return format_html('<span class="mark overdue">{}</span>', _("overdue"))
    if matter.deadline <= soon:
        return format_html('<span class="mark due-soon">{}</span>', _("due soon"))
    return ""
