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


@register.simple_tag
def place_of(area, style="full"):
    """The place of one area (a detail page): ``{% place_of household.area %}`` — one query."""
    from responsibility_areas.places import place as place_of_area

    return place(place_of_area(area), style)
