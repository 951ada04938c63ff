"""Filters every API list shares."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number from 1 (``1.5`` or ``abc`` is a 400 naming the filter)."""

    field_class = IdField


def without_empty(query):
    """A copy of a page's query without its empty fields: an empty select means "any",
    not a bad value (a filter set bound to it then validates as the API's would)."""
    data = query.copy()
    for key in list(data):
        values = [value for value in data.getlist(key) if value != ""]
        if values:
            data.setlist(key, values)
        else:
            del data[key]
    return data


__all__ = ["IdFilter", "without_empty"]
