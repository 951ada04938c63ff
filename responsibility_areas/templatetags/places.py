"""``{{ obj.place|place }}``: a place shortened for a column, in full on hover."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def place(value, style="short"):
    """A :class:`~responsibility_areas.places.Place` as ``<span title="full">short</span>``.

    ``|place:"full"`` writes the full path (titles, detail pages).
    """
    if not value:
        return "–"
    text = value.full if style == "full" else value.short
    if not text:
        return "–"
    return format_html('<span class="place" title="{}">{}</span>', value.full, text)
