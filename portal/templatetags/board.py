"""Small helpers for the dashboard templates: a figure by key, formatted as forms show it."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from portal.dashboard.figures import rows_url

register = template.Library()


@register.filter
def figure(row, key):
    """``row[key]`` for a dict row (a template cannot index by a variable)."""
    return row.get(key) if hasattr(row, "get") else None


@register.filter
def shown(value, percent=False):
    """A figure as the page shows it: thousands separated, rates with %, none as –."""
    if value is None:
        return "–"
    if percent:
        return f"{value:g}%"
    return intcomma(value)


@register.filter
def signed(value):
    if value is None:
        return ""
    return f"+{intcomma(value)}" if value > 0 else intcomma(value)


@register.simple_tag
def rows_link(area, key, period):
    return rows_url(area, key, period)


@register.filter
def cn_date(day):
    """2026年11月29日, as Chinese government forms write dates."""
    if not day:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"
