"""API shapes for people and their links.

Serializers validate shapes only; the services enforce the rules. Resident ID numbers
and phones leave the server masked: the read serializers list their fields explicitly and
never name the encrypted columns or the hash. Cadre phones are masked too, so that no
response carries a full 11-digit number (contact cards print them; the API does not).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from foundation import scoping
from foundation.identity import mask_mobile
from foundation.prepared import Prepared
from responsibility_areas.models import Area

from .models import (
    SIX_QUESTIONS,
    Cadre,
    Household,
    HouseholdCategory,
    MatterKind,
    Pairing,
    PairingKind,
    Visit,
    VisitKind,
    VisitMatter,
)

NOTE_FIELDS = [field for field, _label in SIX_QUESTIONS]


_ROW_BY_KEY: dict = {}


def _row_by_key(model) -> Prepared:
    if model not in _ROW_BY_KEY:
        _ROW_BY_KEY[model] = Prepared(lambda pk: model._default_manager.filter(pk=pk))
    return _ROW_BY_KEY[model]


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A primary key chosen among the rows the requesting user may see.

    An out-of-scope id is reported exactly like a missing one, so existence does not leak.
    """

    def get_queryset(self):
        return super().get_queryset().visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        # One read per row and request: a diary names its household once in the list and
        # again in each matter.
        memo = self.context.setdefault("_rows_read", {})
        key = (type(self), self.queryset.model if self.queryset is not None else None, str(data))
        if key not in memo:
            memo[key] = self._read(data)
        return memo[key]

    def _read(self, data):
        """The row by its key through a query compiled once per model, then the same scope
        ``visible_to`` applies, checked on the row's path (``scoping.sees``): a save names
        a few rows, and building the scoped query for each cost more than reading it."""
        queryset = self.queryset
        if queryset is None or queryset.query.where or not hasattr(queryset.model, "area_path"):
            return super().to_internal_value(data)
        model = queryset.model
        try:
            pk = model._meta.pk.to_python(data)
        except (TypeError, ValueError, DjangoValidationError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(pk, bool) or not isinstance(pk, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
        if (low is not None and pk < low) or (high is not None and pk > high):
            self.fail("does_not_exist", pk_value=data)  # no row has it (the ORM says so too)
        rows = _row_by_key(model)(pk=pk)
        if not rows or not self.may_use(rows[0]):
            self.fail("does_not_exist", pk_value=data)
        return rows[0]

    def may_use(self, row) -> bool:
        return scoping.sees(self.context["request"].user, row.area_path)


class VisitingCadreField(VisiblePrimaryKeyField):
    """A cadre in scope, or the requesting user's own cadre (who may write their own diary)."""

    def get_queryset(self):
        user = self.context["request"].user
        own = getattr(user, "cadre", None)
        visible = super().get_queryset()
        return visible | Cadre.objects.filter(pk=own.pk) if own is not None else visible

    def may_use(self, row) -> bool:
        own = getattr(self.context["request"].user, "cadre", None)
        return super().may_use(row) or (own is not None and row.pk == own.pk)


class LocatedSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)


# --- Cadres ----------------------------------------------------------------------------------


class CadreSerializer(LocatedSerializer):
    rank_display = serializers.CharField(source="get_rank_display", read_only=True)
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Cadre
        fields = [
            "id",
            "name",
            "rank",
            "rank_display",
            "unit",
            "post",
            "phone_masked",
            "duties",
            "is_leading",
            "area",
            "area_name",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_phone_masked(self, cadre) -> str:
        return mask_mobile(cadre.phone)


# --- Households ------------------------------------------------------------------------------


class HouseholdSerializer(LocatedSerializer):
    area_name = serializers.CharField(read_only=True)  # annotated by the viewset (one join)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=HouseholdCategory.choices),
        source="category_list",
        read_only=True,
    )
    is_must_visit = serializers.BooleanField(read_only=True)
    paired = serializers.BooleanField(read_only=True, help_text=_("Paired with a cadre today"))
    last_visit = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "head_name",
            "id_number_masked",
            "phone_masked",
            "members",
            "address",
            "categories",
            "is_must_visit",
            "party_member",
            "paired",
            "last_visit",
            "area",
            "area_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class HouseholdCreateSerializer(serializers.Serializer):
    area = VisiblePrimaryKeyField(queryset=Area.objects.all(), label=_("Area"))
    head_name = serializers.CharField(max_length=50, label=_("Head of household"))
    id_number = serializers.CharField(max_length=40, write_only=True, label=_("ID number"))
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        label=_("Mobile phone"),
    )
    members = serializers.IntegerField(min_value=1, max_value=99, default=1, label=_("Members"))
    address = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", label=_("Address")
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=HouseholdCategory.choices),
        required=False,
        default=list,
        label=_("Categories"),
    )
    party_member = serializers.BooleanField(
        required=False, default=False, label=_("Party member household")
    )


class HouseholdIdentitySerializer(serializers.Serializer):
    """The full numbers, answered once to a user allowed to see them (the reveal is audited)."""

    id_number = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)


# --- Pairings --------------------------------------------------------------------------------


class PairingSerializer(LocatedSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "household",
            "household_name",
            "kind",
            "kind_display",
            "start_date",
            "end_date",
            "area",
            "area_name",
        ]
        read_only_fields = fields


class PairingCreateSerializer(serializers.Serializer):
    cadre = VisiblePrimaryKeyField(queryset=Cadre.objects.all(), label=_("Cadre"))
    household = VisiblePrimaryKeyField(queryset=Household.objects.all(), label=_("Household"))
    kind = serializers.ChoiceField(choices=PairingKind.choices, label=_("Pairing kind"))
    start_date = serializers.DateField(required=False, allow_null=True, label=_("Start date"))


class PairingEndSerializer(serializers.Serializer):
    end_date = serializers.DateField(
        required=False, allow_null=True, label=_("End date"), help_text=_("Today if left out")
    )


# --- Visits ----------------------------------------------------------------------------------


class VisitHouseholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "head_name"]
        read_only_fields = fields


class VisitMatterSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitMatter
        fields = ["id", "household", "kind", "topic", "description", "solved_on_spot", "resolution"]
        read_only_fields = fields


class VisitSerializer(LocatedSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    entered_by = serializers.CharField(source="entered_by.get_username", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    households = VisitHouseholdSerializer(many=True, read_only=True)
    matters = VisitMatterSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "entered_by",
            "visited_on",
            "kind",
            "kind_display",
            "place",
            "stay_days",
            *NOTE_FIELDS,
            "households",
            "matters",
            "area",
            "area_name",
            "created_at",
        ]
        read_only_fields = fields


class VisitMatterInputSerializer(serializers.Serializer):
    household = VisiblePrimaryKeyField(
        queryset=Household.objects.all(), required=False, allow_null=True, label=_("Household")
    )
    kind = serializers.ChoiceField(choices=MatterKind.choices, label=_("Kind"))
    topic = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", label=_("Topic")
    )
    description = serializers.CharField(label=_("Matter"))
    solved_on_spot = serializers.BooleanField(
        required=False, default=False, label=_("Solved on the spot")
    )
    resolution = serializers.CharField(
        required=False, allow_blank=True, default="", label=_("How it was solved")
    )


class VisitCreateSerializer(serializers.Serializer):
    cadre = VisitingCadreField(queryset=Cadre.objects.all(), label=_("Visiting cadre"))
    visited_on = serializers.DateField(label=_("Date of visit"))
    kind = serializers.ChoiceField(choices=VisitKind.choices, label=_("Kind of visit"))
    households = VisiblePrimaryKeyField(
        queryset=Household.objects.all(), many=True, label=_("Households")
    )
    place = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", label=_("Place")
    )
    stay_days = serializers.IntegerField(
        min_value=0, max_value=366, required=False, default=0, label=_("Days living in the village")
    )
    matters = VisitMatterInputSerializer(
        many=True, required=False, default=list, label=_("Matters raised")
    )

    def get_fields(self):
        fields = super().get_fields()
        for name, label in SIX_QUESTIONS:
            fields[name] = serializers.CharField(
                required=False, allow_blank=True, default="", label=label
            )
        return fields
