"""``{% submission_field %}``: the hidden token that makes a create form's submission count once."""

from django import template
from django.utils.html import format_html

from foundation.idempotency import FIELD, MAX_KEY, new_token

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_field(context):
    """The token this form was drawn with; a form redrawn after an error keeps its token."""
    request = context.get("request")
    token = (request.POST.get(FIELD, "") if request is not None else "")[:MAX_KEY] or new_token()
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token)
