"""Template helpers of the ledger pages."""

from django import template

from grievances.exports import redact as _redact

register = template.Library()


@register.filter
def redact(text):
    """Free text with resident ID numbers and mobile numbers masked."""
    return _redact(text)
