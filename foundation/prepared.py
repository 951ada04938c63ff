"""Hot read queries compiled once per process: the ORM defines them, the SQL is reused.

For a small indexed query Django spends longer building and compiling the queryset than
PostgreSQL spends running it (a households list page, measured at province scale: 0.67 ms
to build, 0.57 ms to compile, 0.57 ms in the database). Every API request runs a few such
queries (the token, the memberships, the page), so this is most of a list request.

A :class:`Prepared` is given a function that builds the queryset. On the first call for a
*shape* (the arguments that change the SQL text: an ordering, a slice, how many ids in an
``IN``) it builds the queryset once more with marker values in place of the call's values,
compiles it, and notes which SQL parameters are which marker. Every later call of that
shape runs the same SQL with the call's values in those places, through Django's own
compiler (converters included) and the model's ``from_db`` — the rows are what the
queryset would give.

It refuses, at compile time, what it cannot map with certainty, and that shape then always
takes the ordinary ORM path: a marker written into the SQL text instead of a parameter, a
value the lookup transformed (``startswith``), a ``select_related`` or ``values()`` join
it would have to populate, a value of a type it has no marker for.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from itertools import count

from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable
from django.db.models.sql.constants import MULTI

_REFUSED = object()
MAX_SHAPES = 256  # per Prepared; beyond it new shapes take the ORM path (memory stays bounded)


class _Markers:
    """Values no real query carries, one per name (lists: one per element)."""

    def __init__(self):
        self._next = count(1)

    def for_value(self, value):
        if isinstance(value, list | tuple):
            return [self.for_value(item) for item in value]
        n = next(self._next)
        if isinstance(value, bool):
            raise TypeError("no marker for a bool")
        if isinstance(value, int):
            return -(7 * 10**17) - n
        if isinstance(value, datetime.datetime):
            raise TypeError("no marker for a datetime")
        if isinstance(value, datetime.date):
            return datetime.date(1, 1, 1) + datetime.timedelta(days=n)
        if isinstance(value, str):
            return f"\x1eprepared-{n}\x1e"
        raise TypeError(f"no marker for {type(value).__name__}")


class _Plan:
    def __init__(self, queryset, compiler, sql, params, slots, kind):
        self.model, self.fixed_db = queryset.model, queryset._db
        self.vendor = compiler.connection.vendor
        self.compiler, self.sql, self.params, self.slots, self.kind = (
            compiler,
            sql,
            params,
            slots,
            kind,
        )

    def db(self) -> str | None:
        """Where this call reads (the replica router decides per call), if the SQL fits it."""
        alias = self.fixed_db or router.db_for_read(self.model)
        return alias if connections[alias].vendor == self.vendor else None

    @classmethod
    def compile(cls, queryset: QuerySet, markers: dict):
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            return _REFUSED
        if queryset._iterable_class is ModelIterable:
            kind = "models"
        elif queryset._iterable_class is ValuesListIterable:
            kind = "tuples"
        else:
            return _REFUSED
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except Exception:  # noqa: BLE001 - an empty IN, say: the ORM path answers it
            return _REFUSED
        if kind == "models" and compiler.klass_info.get("related_klass_infos"):
            return _REFUSED  # select_related: the ORM populates the related objects
        slots = []
        for name, marker in markers.items():
            items = marker if isinstance(marker, list) else [marker]
            for index, item in enumerate(items):
                element = index if isinstance(marker, list) else None
                found = [
                    (position, name, element, convert)
                    for position, param in enumerate(params)
                    if (convert := _binding(param, item)) is not None
                ]
                if not found or _text(item) in sql:
                    return _REFUSED  # transformed, or written into the SQL text
                slots.extend(found)
        return cls(queryset, compiler, sql, tuple(params), slots, kind)

    def run(self, values: dict, db: str) -> list:
        params = list(self.params)
        for position, name, element, convert in self.slots:
            value = values[name] if element is None else values[name][element]
            params[position] = convert(value)
        compiler = copy.copy(self.compiler)  # this thread's connection, this call's params
        compiler.connection = connections[db]
        sql = self.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        rows = compiler.results_iter(compiler.execute_sql(MULTI))
        if self.kind == "tuples":
            return [tuple(row) for row in rows]
        return _instances(compiler, rows, db)


def _same(value):
    return value


def _binding(param, marker):
    """How a call's value becomes this parameter, if the parameter is ``marker``: as it is,
    or as text (SQLite's date adapter writes dates as text)."""
    for convert in (_same, str):
        bound = convert(marker)
        if type(param) is type(bound) and param == bound:
            return convert
    return None


def _text(marker) -> str:
    return marker if isinstance(marker, str) else str(marker)


def _instances(compiler, rows, db) -> list:
    """Model instances as Django's ``ModelIterable`` makes them (no related objects)."""
    klass_info, annotation_col_map = compiler.klass_info, compiler.annotation_col_map
    model_cls = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in compiler.select[start:end]]
    objects = []
    for row in rows:
        obj = model_cls.from_db(db, init_list, row[start:end])
        for attr_name, col_pos in annotation_col_map.items():
            setattr(obj, attr_name, row[col_pos])
        objects.append(obj)
    return objects


def _kind(name, value) -> tuple:
    """What of a value shapes the SQL or its binding: its type, and a list's length."""
    if isinstance(value, list | tuple):
        return (name, len(value), tuple(sorted({type(item).__name__ for item in value})))
    return (name, None, type(value).__name__)


class Prepared:
    """``build(**shape, **values)`` → a queryset; calls run its SQL compiled once per shape.

    ``shape`` holds what changes the SQL text and is passed to ``build`` as given; each of
    ``values`` (ints, dates, strings, or lists of them) is a parameter. Returns a list of
    model instances, or of tuples for a ``values_list()`` queryset.
    """

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._plans: dict = {}

    def __call__(self, shape: dict | None = None, **values) -> list:
        shape = shape or {}
        key = (tuple(sorted(shape.items())), tuple(_kind(n, v) for n, v in sorted(values.items())))
        plan = self._plans.get(key)
        if plan is None and len(self._plans) < MAX_SHAPES:
            plan = self._plans[key] = self._compile(shape, values)
        if plan is None:
            plan = _REFUSED  # too many shapes already: this one takes the ORM path
        db = None if plan is _REFUSED else plan.db()
        if db is None:
            return list(self.build(**shape, **values))
        return plan.run(values, db)

    def _compile(self, shape: dict, values: dict):
        markers = _Markers()
        try:
            marked = {name: markers.for_value(value) for name, value in values.items()}
            queryset = self.build(**shape, **marked)
        except (TypeError, ValueError):  # no marker for a value, or the lookup rejected one
            return _REFUSED
        return _Plan.compile(queryset, marked)


class PreparedPage:
    """What cursor pagination asks of a queryset — ``order_by``, a filter on the position, a
    slice — answered by a :class:`Prepared` whose ``build`` takes ``ordering``, ``lookup``,
    ``position`` (when there is a lookup), ``start`` and ``stop`` besides its own arguments.

    DRF's ``CursorPagination.paginate_queryset`` works on it unchanged: the links, the
    positions and the reversed pages are DRF's own.
    """

    def __init__(self, prepared: Prepared, shape=None, ordering=(), lookup=None, **values):
        self.prepared, self.shape, self.ordering, self.lookup = (
            prepared,
            shape or {},
            ordering,
            lookup,
        )
        self.values = values

    def order_by(self, *ordering):
        return PreparedPage(self.prepared, self.shape, tuple(ordering), self.lookup, **self.values)

    def filter(self, **lookup):
        ((name, position),) = lookup.items()
        try:
            position = int(position)  # an id cursor's position arrives as text
        except (TypeError, ValueError):
            pass
        values = {**self.values, "position": position}
        return PreparedPage(self.prepared, self.shape, self.ordering, name, **values)

    def __getitem__(self, window: slice) -> list:
        shape = {
            **self.shape,
            "ordering": self.ordering,
            "lookup": self.lookup,
            "start": window.start,
            "stop": window.stop,
        }
        return self.prepared(shape, **self.values)
