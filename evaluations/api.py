"""REST API of the evaluation: ``/api/v1/surveys/``, ``/api/v1/campaigns/`` (with their
validity and results) and ``/api/v1/accountability/``; scoped exactly like the pages."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from foundation.pagination import IdCursorPagination
from liaison.models import Cadre
from responsibility_areas.permissions import Action, may

from . import services
from .models import AccountabilityCase, Campaign, CaseAction, QuestionnaireVersion
from .scores import formula, scores, weights_for
from .selectors import campaign_validities, campaign_validity, cases_for, results_by_cadre


class QuestionnaireVersionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="questionnaire.name", read_only=True)
    subject = serializers.CharField(source="questionnaire.subject", read_only=True)
    questions = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = QuestionnaireVersion
        fields = ["id", "name", "subject", "number", "questions", "created_at"]


class ValiditySerializer(serializers.Serializer):
    participants = serializers.IntegerField()
    grassroots = serializers.IntegerField()
    grassroots_percent = serializers.FloatField()
    valid = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())


class CampaignSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    validity = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "area",
            "area_name",
            "period_start",
            "period_end",
            "questionnaire",
            "status",
            "covers_cadres",
            "covers_leading_bodies",
            "opened_at",
            "closed_at",
            "validity",
        ]

    @extend_schema_field(ValiditySerializer)
    def get_validity(self, campaign) -> dict:
        known = self.context.get("validities", {})  # a list page's, counted at once
        validity = known.get(campaign.pk) or campaign_validity(campaign)
        return ValiditySerializer(validity).data


class ResultSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(source="subject_id")
    cadre_name = serializers.CharField()
    answers = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    fairly = serializers.IntegerField()
    dissatisfied = serializers.IntegerField()
    satisfaction = serializers.FloatField()
    dissatisfaction = serializers.FloatField()
    over_threshold = serializers.BooleanField()
    under_target = serializers.BooleanField()


class CaseSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(
        source="cadre.name", read_only=True, default=None, allow_null=True
    )
    subject_area_name = serializers.CharField(
        source="subject_area.name", read_only=True, default=None, allow_null=True
    )
    action = serializers.ChoiceField(choices=CaseAction.choices, allow_blank=True, read_only=True)

    class Meta:
        model = AccountabilityCase
        fields = [
            "id",
            "campaign",
            "cadre",
            "cadre_name",
            "subject_area",
            "subject_area_name",
            "answers",
            "dissatisfied",
            "status",
            "action",
            "reason",
            "opened_at",
            "resolved_at",
        ]
        read_only_fields = fields


class CaseResolveSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=CaseAction.choices)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="{detail} or {field: [message]}")


class SurveyViewSet(viewsets.ReadOnlyModelViewSet):
    """Questionnaires, each version as asked (answers keep their version's questions)."""

    serializer_class = QuestionnaireVersionSerializer
    pagination_class = IdCursorPagination
    queryset = QuestionnaireVersion.objects.select_related("questionnaire")


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Campaigns whose area lies in the caller's scope, with their validity."""

    serializer_class = CampaignSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return Campaign.objects.visible_to(self.request.user).select_related("area")

    def list(self, request, *args, **kwargs):
        """A page of campaigns, their validity counted together (not four queries each)."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "validities": campaign_validities(page)}
        data = self.get_serializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(responses={200: ResultSerializer(many=True), 404: ERROR})
    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request, pk=None):
        """Per graded cadre: counts and rates over the answers the caller may see."""
        campaign = self.get_object()
        rows = results_by_cadre(request.user, campaign)
        names = dict(
            Cadre.objects.filter(pk__in=[r.subject_id for r in rows]).values_list("pk", "name")
        )
        for row in rows:
            row.cadre_name = names.get(row.subject_id, "")
        return Response(ResultSerializer(rows, many=True).data)


class AccountabilityViewSet(viewsets.ReadOnlyModelViewSet):
    """Accountability cases of subjects in the caller's scope; a leader resolves them."""

    serializer_class = CaseSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AccountabilityCase.objects.none()
        return cases_for(self.request.user).select_related("cadre", "subject_area")

    @extend_schema(
        request=CaseResolveSerializer,
        responses={200: CaseSerializer, 400: ERROR, 403: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Record what was done (谈话提醒, 诫勉, 调整岗位, or 不予问责 with the reason)."""
        case = self.get_object()
        if not may(request.user, Action.APPROVE, case.area):
            raise PermissionDenied
        form = CaseResolveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            case = services.resolve_case(actor=request.user, case=case, **form.validated_data)
        except services.EvaluationError as exc:
            code = (
                status.HTTP_409_CONFLICT
                if exc.code == "already_resolved"
                else status.HTTP_400_BAD_REQUEST
            )
            body = (
                {"detail": exc.message} if code == 409 else {exc.field or "detail": [exc.message]}
            )
            return Response(body, status=code)
        return Response(CaseSerializer(case).data)


class ScoreSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(source="cadre_id")
    name = serializers.CharField()
    rank = serializers.IntegerField()
    exam = serializers.FloatField()
    test = serializers.FloatField(allow_null=True)
    score = serializers.FloatField()


class ScoreQuery(serializers.Serializer):
    campaign = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class _OneObject(AutoSchema):
    """The list action answers one object (the formula and the ranked scores), not an
    array: say so in the schema instead of letting ``list`` imply an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class EvaluationViewSet(viewsets.ViewSet):
    """一测一考: every cadre's score in a campaign's area (exam + test), ranked; the formula
    comes with it."""

    schema = _OneObject()

    @extend_schema(
        parameters=[ScoreQuery],
        responses={
            200: inline_serializer(
                "Scores", {"formula": serializers.CharField(), "scores": ScoreSerializer(many=True)}
            ),
            400: ERROR,
            404: ERROR,
        },
    )
    def list(self, request):
        query = ScoreQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        campaign = get_object_or_404(
            Campaign.objects.visible_to(request.user), pk=query.validated_data["campaign"]
        )
        rows = scores(request.user, campaign)
        return Response(
            {
                "formula": formula(weights_for(campaign.area)),
                "scores": ScoreSerializer(rows, many=True).data,
            }
        )
