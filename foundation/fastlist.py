"""A lean serialization path for API lists: the serializer's own fields, compiled once.

DRF's ``ModelSerializer.to_representation`` resolves every field of every row afresh
(``get_attribute`` walks ``source_attrs`` through generic code, checks callables, copies
fields per serializer instance). For a list page that is most of the request once the
query is an index range: ~200 µs per row for a household. :func:`compile_rows` reads the
serializer's declared fields once per class and builds one plain function per field —
``attrgetter`` for the attribute, the cheapest exact conversion for the field's type — and
falls back to the field's own ``to_representation`` for anything it does not know, so the
output is the serializer's, byte for byte (a test holds the two to the same JSON).
"""

from __future__ import annotations

import datetime
from operator import attrgetter

from django.utils import timezone
from rest_framework import fields as drf
from rest_framework import relations
from rest_framework.serializers import ListSerializer

_COMPILED: dict[type, list] = {}


class DateTimes:
    """Aware datetimes in the current time zone, as DRF writes them; the zone looked up once
    per list, not per value."""

    def for_language(self):
        zone = timezone.get_current_timezone()

        def convert(value):
            text = value.astimezone(zone).isoformat() if value.tzinfo else value.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return convert


def _datetime(field):
    if getattr(field, "format", None) not in (None, drf.ISO_8601) or getattr(
        field, "timezone", None
    ):
        return field.to_representation
    return DateTimes()


def _date(field):
    if getattr(field, "format", None) not in (None, drf.ISO_8601):
        return field.to_representation

    def convert(value):
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return field.to_representation(value)
        return value.isoformat()

    return convert


def _same(value):
    return value


def _plain(kind):
    def convert(value):
        return None if value is None else kind(value)

    return convert


def _converter(field):
    if isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is None:
        return _same  # the ``*_id`` value is the primary key
    if isinstance(field, drf.DateTimeField):
        return _datetime(field)
    if isinstance(field, drf.DateField):
        return _date(field)
    if isinstance(field, drf.BooleanField):
        return _plain(bool)
    if isinstance(field, drf.IntegerField):
        return _plain(int)
    if isinstance(field, drf.ChoiceField) or type(field) is drf.CharField:
        return field.to_representation
    if isinstance(field, drf.ListField) and isinstance(field.child, drf.ChoiceField):
        child = field.child.to_representation
        return lambda value: [child(item) if item is not None else None for item in value]
    return field.to_representation


def _getter(field):
    if isinstance(field, relations.PrimaryKeyRelatedField) and len(field.source_attrs) == 1:
        return attrgetter(field.source_attrs[0] + "_id")
    if any(part == "*" for part in field.source_attrs):
        return None
    return attrgetter(".".join(field.source_attrs))


class Labels:
    """A ``get_<field>_display`` source: the choice labels, translated once per list."""

    def __init__(self, choices):
        self.choices = dict(choices)

    def for_language(self):
        labels = {key: str(label) for key, label in self.choices.items()}
        return lambda value: labels.get(value, value)


def _display_field(serializer, field):
    """The model field behind ``source="get_<name>_display"``, if that is the source."""
    source = field.source or ""
    if not (source.startswith("get_") and source.endswith("_display")):
        return None
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    try:
        model_field = model._meta.get_field(source[4:-8]) if model else None
    except Exception:  # noqa: BLE001 - not a model field: the exact path
        return None
    return model_field if model_field is not None and model_field.choices else None


def compile_rows(serializer_class, context=None) -> list:
    """``[(name, getter, convert)]`` for the readable fields of ``serializer_class``."""
    if serializer_class in _COMPILED:
        return _COMPILED[serializer_class]
    serializer = serializer_class(context=context or {})
    plan = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        display = _display_field(serializer, field)
        if display is not None and type(field) is drf.CharField:
            plan.append((name, attrgetter(display.attname), Labels(display.flatchoices)))
            continue
        getter = _getter(field)
        if getter is None or isinstance(field, drf.SerializerMethodField | ListSerializer):
            plan.append((name, None, field))  # the slow, exact path (nested lists too)
            continue
        plan.append((name, getter, _converter(field)))
    _COMPILED[serializer_class] = plan
    return plan


def rows(serializer_class, objects, context=None) -> list[dict]:
    plan = [
        (
            name,
            getter,
            convert.for_language() if isinstance(convert, Labels | DateTimes) else convert,
        )
        for name, getter, convert in compile_rows(serializer_class, context)
    ]
    result = []
    for obj in objects:
        row = {}
        for name, getter, convert in plan:
            if getter is None:
                row[name] = convert.to_representation(convert.get_attribute(obj))
                continue
            try:
                value = getter(obj)
            except AttributeError:
                value = None  # a null relation on the way, as DRF answers for a nullable source
            if callable(value):  # a method as source (``get_rank_display``), as DRF calls it
                value = value()
            row[name] = convert(value) if value is not None else None
        result.append(row)
    return result


def model_columns(serializer_class, *extra: str) -> tuple[str, ...]:
    """The serializer's fields that are columns of its model, and ``extra``: what a list
    reads with ``only()``, derived so that a field added to the serializer is never read
    lazily row by row."""
    model = serializer_class.Meta.model
    concrete = {field.name for field in model._meta.concrete_fields}
    return (*(name for name in serializer_class.Meta.fields if name in concrete), *extra)


PAGING_PARAMS = frozenset({"cursor", "page_size", "format"})


class LeanListMixin:
    """``list`` through :func:`rows`: same JSON, a fraction of the per-row cost."""

    def filter_queryset(self, queryset):
        """No filter asked for: no filter form built and validated (the same rows)."""
        if PAGING_PARAMS.issuperset(self.request.query_params):
            return queryset
        return super().filter_queryset(queryset)

    def prepared_list(self):
        """An unfiltered page's rows from SQL compiled once (``foundation.prepared``), or
        None: the queryset's own path."""
        return None

    def list(self, request, *args, **kwargs):
        queryset = None
        if PAGING_PARAMS.issuperset(request.query_params) and self.paginator is not None:
            queryset = self.prepared_list()
        if queryset is None:
            queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        objects = page if page is not None else queryset
        data = rows(self.get_serializer_class(), objects, self.get_serializer_context())
        if page is not None:
            return self.get_paginated_response(data)
        from rest_framework.response import Response

        return Response(data)
