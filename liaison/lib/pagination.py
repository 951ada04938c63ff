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
