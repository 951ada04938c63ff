"""API shapes of the ledger. Serializers validate shapes; the services enforce the rules.

Free text (matter, resolution, explanation, feedback, notes) leaves the server through
``redact``: a resident ID number or mobile typed into it is masked, as on the pages.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from liaison.models import Cadre, Household, MatterKind
from liaison.serializers import VisiblePrimaryKeyField
from responsibility_areas.models import Area

from .exports import redact
from .models import FeedbackChannel, Matter, MatterEvent, MatterSource, Satisfaction


class RedactedCharField(serializers.CharField):
    def to_representation(self, value):
        return redact(super().to_representation(value))


def blank_or_choice(model, name):
    """A read-only choice that is "" until set (the schema's enum includes the blank)."""
    field = model._meta.get_field(name)
    return serializers.ChoiceField(
        choices=field.choices, allow_blank=True, read_only=True, label=field.verbose_name
    )


class MatterEventSerializer(serializers.ModelSerializer):
    note = RedactedCharField(read_only=True)
    from_status = blank_or_choice(MatterEvent, "from_status")  # "" on the first event

    class Meta:
        model = MatterEvent
        fields = ["id", "at", "actor_name", "action", "from_status", "to_status", "note", "data"]
        read_only_fields = fields


class MatterSerializer(serializers.ModelSerializer):
    description = RedactedCharField(read_only=True)
    resolution = RedactedCharField(read_only=True)
    explanation = RedactedCharField(read_only=True)
    feedback = RedactedCharField(read_only=True)
    # Annotated by the viewset (grievances.api.with_names): columns, not related models.
    area_name = serializers.CharField(read_only=True)
    owner_name = serializers.CharField(read_only=True)
    handler_name = serializers.CharField(read_only=True, allow_null=True)
    handling_area_name = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    outcome = blank_or_choice(Matter, "outcome")  # "" until resolved
    satisfaction = blank_or_choice(Matter, "satisfaction")  # "" until feedback is recorded

    class Meta:
        model = Matter
        fields = [
            "id",
            "number",
            "version",
            "status",
            "status_display",
            "applicant",
            "applicant_name",
            "area",
            "area_name",
            "description",
            "kind",
            "kind_display",
            "topic",
            "source",
            "received_on",
            "owner",
            "owner_name",
            "level",
            "handling_area",
            "handling_area_name",
            "handler",
            "handler_name",
            "deadline",
            "is_overdue",
            "escalation_count",
            "escalated_at",
            "outcome",
            "resolution",
            "explanation",
            "resolved_on",
            "days_to_resolve",
            "feedback",
            "satisfaction",
            "closed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, matter) -> bool:
        return matter.is_overdue()


class MatterDetailSerializer(MatterSerializer):
    """One matter with its whole timeline."""

    events = MatterEventSerializer(many=True, read_only=True)

    class Meta(MatterSerializer.Meta):
        fields = [*MatterSerializer.Meta.fields, "events"]
        read_only_fields = fields


class MatterCreateSerializer(serializers.Serializer):
    owner = VisiblePrimaryKeyField(
        queryset=Cadre.objects.all(), label=_("Owner (the first visitor)")
    )
    applicant = VisiblePrimaryKeyField(
        queryset=Household.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        label=_("Applicant household"),
    )
    applicant_name = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        label=_("Applicant (a named person)"),
    )
    area = VisiblePrimaryKeyField(
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        label=_("Where the matter arose"),
    )
    handling_area = VisiblePrimaryKeyField(
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        label=_("Handling area"),
    )
    description = serializers.CharField(max_length=4000, label=_("Matter"))
    kind = serializers.ChoiceField(choices=MatterKind.choices, label=_("Kind"))
    topic = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", label=_("Topic")
    )
    source = serializers.ChoiceField(choices=MatterSource.choices, label=_("Source"))
    received_on = serializers.DateField(label=_("Received on"))


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        label=_("Version"),
        help_text=_("The matter's version as last read; a stale version is answered with 409."),
    )


class StartWorkSerializer(VersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("Note"))


class ReasonSerializer(VersionSerializer):
    reason = serializers.CharField(label=_("Reason"))


class ResolveSerializer(VersionSerializer):
    resolution = serializers.CharField(label=_("How it was resolved"))


class ExplainSerializer(VersionSerializer):
    explanation = serializers.CharField(label=_("Explanation given to the household"))


class FeedbackSerializer(VersionSerializer):
    feedback = serializers.CharField(label=_("Household feedback"))
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, label=_("Satisfaction"))
    channel = serializers.ChoiceField(
        choices=FeedbackChannel.choices,
        default=FeedbackChannel.RETURN_CALL,
        label=_("Collected by way of"),
        help_text=_("Never by the matter's owner or handler: they are graded by it."),
    )


class CloseOutSerializer(VersionSerializer):
    feedback = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        label=_("Household feedback"),
        help_text=_("Empty: the feedback recorded before."),
    )
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices,
        required=False,
        allow_blank=True,
        default="",
        label=_("Satisfaction"),
    )


class ExtendDeadlineSerializer(ReasonSerializer):
    deadline = serializers.DateField(label=_("New deadline"))
