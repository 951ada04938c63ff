from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Cursor pagination: no COUNT(*) per page, stable under inserts (big lists).

    A cursor the server did not make (a forged ``p=abc``, a NUL byte, bad base64) is a 400
    naming the parameter, never a server error: the position is checked against the
    ordering field's type before it reaches a filter.
    """

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 500
    position_is_integer = True

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            self._bad_cursor()
        if cursor is None or cursor.position is None:
            return cursor
        position = cursor.position
        if "\x00" in position or len(position) > 255:
            self._bad_cursor()
        if self.position_is_integer:
            try:
                number = int(position)
            except ValueError:
                self._bad_cursor()
            if not -(2**63) <= number < 2**63:  # beyond a bigint: PostgreSQL would raise
                self._bad_cursor()
        return cursor

    def _bad_cursor(self):
        raise ValidationError({self.cursor_query_param: [_("This page cursor is not valid.")]})


class PathCursorPagination(IdCursorPagination):
    ordering = "path"
    position_is_integer = False


class IdsFirst:
    """A queryset stand-in for cursor pagination: a page's ids first, then its rows.

    ``ids`` is the scoped, filtered query (narrow: PostgreSQL can answer it from an index
    and stop after one page); ``rows`` reads the listed columns, joins and annotations for
    those ids only. Planned as one query, the joins would be made for every row in scope
    before the sort that keeps fifty of them. DRF's pagination calls ``order_by``, one
    position ``filter`` and a slice, and those go to the ids.
    """

    def __init__(self, ids, rows):
        self.ids, self.rows = ids, rows

    def order_by(self, *ordering):
        return IdsFirst(self.ids.order_by(*ordering), self.rows.order_by(*ordering))

    def filter(self, *args, **kwargs):
        return IdsFirst(self.ids.filter(*args, **kwargs), self.rows)

    def __getitem__(self, window: slice) -> list:
        page = self.ids.values("pk")[window]
        return list(self.rows.filter(pk__in=page))
