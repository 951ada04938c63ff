"""API filtersets for people and their links.

Every filter narrows a queryset that is already scoped with ``visible_to``; an area or
object the caller cannot see filters to nothing, it never widens the scope.
"""

from datetime import date

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import extend_schema_field

from foundation.filters import IdFilter
from responsibility_areas.models import Area

from .models import (
    CATEGORY_BITS,
    MUST_VISIT_MASK,
    Cadre,
    Household,
    HouseholdCategory,
    Pairing,
    PairingKind,
    Rank,
    Visit,
    VisitHousehold,
    VisitKind,
)


class AreaSubtreeFilterSet(django_filters.FilterSet):
    area = IdFilter(method="filter_area", label=_("Area id: everything in its whole subtree"))

    def filter_area(self, queryset, name, value):
        # Resolved inside the caller's scope: an invisible area filters to nothing.
        area = Area.objects.visible_to(self.request.user).filter(pk=value).first()
        return queryset.subtree_of(area) if area else queryset.none()


class CadreFilter(AreaSubtreeFilterSet):
    rank = django_filters.MultipleChoiceFilter(
        choices=Rank.choices, label=pgettext_lazy("cadre", "Rank")
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", label=_("Name"))

    class Meta:
        model = Cadre
        fields = ["area", "rank", "q", "is_leading"]


class HouseholdFilter(AreaSubtreeFilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Name, pinyin initials, or the last digits of the ID number or phone"),
    )
    category = django_filters.ChoiceFilter(
        choices=HouseholdCategory.choices, method="filter_category", label=_("Category")
    )
    must_visit = django_filters.BooleanFilter(
        method="filter_must_visit", label=_("In a must-visit category")
    )
    # ``paired`` is annotated by the viewset (an active pairing exists today).
    paired = django_filters.BooleanFilter(field_name="paired", label=_("Paired with a cadre"))
    not_visited = django_filters.BooleanFilter(
        method="filter_not_visited",
        label=_("Paired with me and not visited this quarter"),
    )

    class Meta:
        model = Household
        fields = ["area", "q", "category", "must_visit", "paired", "party_member", "not_visited"]

    def filter_not_visited(self, queryset, name, value):
        from django.utils import timezone

        from .selectors import not_visited_this_quarter

        cadre = getattr(self.request.user, "cadre", None) if self.request else None
        if not value:
            return queryset
        if cadre is None:
            return queryset.none()
        waiting = not_visited_this_quarter(self.request.user, cadre, timezone.localdate())
        return queryset.filter(pk__in=waiting.order_by().values("pk"))

    def filter_q(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def filter_category(self, queryset, name, value):
        return queryset.with_any_category(CATEGORY_BITS[value])

    def filter_must_visit(self, queryset, name, value):
        if value:
            return queryset.must_visit()
        return queryset.annotate(_must=F("categories").bitand(MUST_VISIT_MASK)).filter(_must=0)


class PairingFilter(AreaSubtreeFilterSet):
    cadre = IdFilter(field_name="cadre_id", label=_("Cadre id"))
    household = IdFilter(field_name="household_id", label=_("Household id"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("Active today"))
    kind = django_filters.ChoiceFilter(choices=PairingKind.choices, label=_("Pairing kind"))

    class Meta:
        model = Pairing
        fields = ["area", "cadre", "household", "active", "kind"]

    def filter_active(self, queryset, name, value):
        if value:
            return queryset.active()
        return queryset.exclude(pk__in=Pairing.objects.active().values("pk"))


class MonthField(forms.CharField):
    """``YYYY-MM`` (as ``<input type="month">`` sends it) → the first day of that month."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(
                _("Enter a month as YYYY-MM, for example 2026-11."), code="invalid"
            ) from None


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-11"})
class MonthFilter(django_filters.Filter):
    field_class = MonthField


class VisitFilter(AreaSubtreeFilterSet):
    cadre = IdFilter(field_name="cadre_id", label=_("Cadre id"))
    household = IdFilter(field_name="households", label=_("Household id"))
    kind = django_filters.MultipleChoiceFilter(choices=VisitKind.choices, label=_("Kind of visit"))
    visited_on = django_filters.DateFromToRangeFilter(
        label=_("Date of visit (visited_on_after, visited_on_before; both inclusive)")
    )
    month = MonthFilter(method="filter_month", label=_("Month of the visit (YYYY-MM)"))
    q = django_filters.CharFilter(
        method="filter_q", label=_("Cadre's name, place, or a visited household's head")
    )
    unfiled = django_filters.BooleanFilter(
        method="filter_unfiled",
        label=_("Only diaries with a matter not solved on the spot and not yet in the ledger"),
    )

    class Meta:
        model = Visit
        fields = ["area", "cadre", "household", "kind", "visited_on", "month", "q", "unfiled"]

    def filter_unfiled(self, queryset, name, value):
        from .selectors import with_unfiled_matters

        return with_unfiled_matters(queryset) if value else queryset

    def filter_month(self, queryset, name, value):
        following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return queryset.filter(visited_on__gte=value, visited_on__lt=following)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        households = VisitHousehold.objects.filter(household__head_name__contains=value)
        return queryset.filter(
            Q(cadre__name__contains=value)
            | Q(place__contains=value)
            | Q(pk__in=households.values("visit_id"))
        )
