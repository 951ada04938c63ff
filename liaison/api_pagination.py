from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Cursor pagination: no COUNT(*) per page, stable under inserts (big lists)."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 500


class PathCursorPagination(IdCursorPagination):
    ordering = "path"
