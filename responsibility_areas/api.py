import django_filters
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404

from foundation.fastlist import LeanListMixin, rows
from foundation.filters import IdFilter
from foundation.pagination import PathCursorPagination

from .models import Area, Level


class AreaSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent = serializers.IntegerField(read_only=True, allow_null=True, source="parent_id")

    class Meta:
        model = Area
        fields = [
            "id",
            "name",
            "level",
            "level_display",
            "division_code",
            "depth",
            "path",
            "numchild",
            "parent",
        ]
        read_only_fields = fields


class AreaFilter(django_filters.FilterSet):
    level = django_filters.MultipleChoiceFilter(choices=Level.choices)
    name = django_filters.CharFilter(lookup_expr="contains")
    division_code = django_filters.CharFilter(lookup_expr="startswith")
    parent = IdFilter(method="filter_parent", label="parent area id")
    subtree = IdFilter(method="filter_subtree", label="area id: its whole subtree")

    class Meta:
        model = Area
        fields = ["level", "depth", "name", "division_code"]

    def _area(self, pk):
        # Resolved inside the caller's scope: an invisible area filters to nothing.
        return Area.objects.visible_to(self.request.user).filter(pk=pk).first()

    def filter_parent(self, queryset, name, value):
        area = self._area(value)
        if area is None:
            return queryset.none()
        return queryset.filter(path__startswith=area.path, depth=area.depth + 1)

    def filter_subtree(self, queryset, name, value):
        area = self._area(value)
        return queryset.subtree_of(area) if area else queryset.none()


def with_parent_id(queryset):
    parent = Area.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Area.steplen)
    )
    return queryset.annotate(parent_id=Subquery(parent.values("pk")[:1]))


class AreaViewSet(LeanListMixin, viewsets.ReadOnlyModelViewSet):
    """Responsibility areas the caller may see (the subtrees of their memberships)."""

    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    pagination_class = PathCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Area.objects.none()
        return with_parent_id(Area.objects.visible_to(self.request.user))

    @extend_schema(responses=AreaSerializer(many=True))
    @action(detail=True)
    def children(self, request, pk=None):
        area = get_object_or_404(Area.objects.visible_to(request.user), pk=pk)
        queryset = self.filter_queryset(
            self.get_queryset().filter(path__startswith=area.path, depth=area.depth + 1)
        )
        page = self.paginate_queryset(queryset)
        data = rows(self.get_serializer_class(), page, self.get_serializer_context())
        return self.get_paginated_response(data)
