"""REST API of the liaison work around the people: responsibility assignments, commitments
and roster imports (upload, check, confirm, status). Scoped exactly like the pages."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from foundation.fastlist import LeanListMixin
from foundation.filters import IdFilter
from foundation.pagination import IdCursorPagination
from responsibility_areas.selectors import user_roles

from . import services
from .api_people import liaison_error_response
from .filters import AreaSubtreeFilterSet
from .importing.progress import job_progress
from .models import (
    Commitment,
    CommitmentStatus,
    Duty,
    ImportJob,
    ImportStatus,
    ResponsibilityAssignment,
)
from .selectors import cadre_only
from .views.imports import IMPORTERS, _jobs_for, _run, max_upload_bytes

# --- Responsibility assignments (一区一责任人) ------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)

    class Meta:
        model = ResponsibilityAssignment
        fields = [
            "id",
            "area",
            "area_name",
            "cadre",
            "cadre_name",
            "duty",
            "start_date",
            "end_date",
        ]
        read_only_fields = fields


class AssignmentFilter(AreaSubtreeFilterSet):
    cadre = IdFilter(field_name="cadre_id", label=gettext_lazy("Cadre id"))
    duty = django_filters.ChoiceFilter(choices=Duty.choices, label=gettext_lazy("Duty"))
    active = django_filters.BooleanFilter(
        method="filter_active", label=gettext_lazy("Active today")
    )

    class Meta:
        model = ResponsibilityAssignment
        fields = ["area", "cadre", "duty", "active"]

    def filter_active(self, queryset, name, value):
        active = ResponsibilityAssignment.objects.active(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)


class AssignmentViewSet(LeanListMixin, viewsets.ReadOnlyModelViewSet):
    """Who answers for which area (responsible person, contact person, reporter)."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ResponsibilityAssignment.objects.none()
        return ResponsibilityAssignment.objects.visible_to(self.request.user).select_related(
            "area", "cadre"
        )


# --- Commitments (承诺) ------------------------------------------------------------------


class CommitmentSerializer(serializers.ModelSerializer):
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)

    class Meta:
        model = Commitment
        fields = ["id", "cadre", "cadre_name", "year", "content", "status", "area"]
        read_only_fields = fields


class CommitmentFilter(AreaSubtreeFilterSet):
    cadre = IdFilter(field_name="cadre_id", label=gettext_lazy("Cadre id"))
    year = django_filters.NumberFilter(field_name="year", label=gettext_lazy("Year"))
    status = django_filters.ChoiceFilter(
        choices=CommitmentStatus.choices, label=gettext_lazy("Status")
    )

    class Meta:
        model = Commitment
        fields = ["area", "cadre", "year", "status"]


class CommitmentViewSet(LeanListMixin, viewsets.ReadOnlyModelViewSet):
    """Cadres' public commitments; a cadre with no other role sees their own."""

    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Commitment.objects.none()
        user = self.request.user
        if cadre_only(user):
            return Commitment.objects.filter(cadre=user.cadre).select_related("cadre")
        return Commitment.objects.visible_to(user).select_related("cadre")


# --- Roster imports ----------------------------------------------------------------------


class ImportJobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    error_count = serializers.SerializerMethodField()
    first_errors = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "file_name",
            "size",
            "sheet_name",
            "status",
            "valid_rows_only",
            "counts",
            "outcome",
            "created_at",
            "started_at",
            "finished_at",
            "progress",
            "error_count",
            "first_errors",
        ]
        read_only_fields = fields

    def get_progress(self, job) -> dict:
        return job_progress(job)

    def get_error_count(self, job) -> int:
        return len(job.errors or [])

    def get_first_errors(self, job) -> list[dict]:
        """The first 100 errors (row, column, message); the page and the report have all."""
        return list((job.errors or [])[:100])


class ImportListSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = ["id", "kind", "file_name", "status", "counts", "outcome", "created_at"]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(label=gettext_lazy("Roster file (.xlsx, .xls or .csv)"))
    sheet = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        label=gettext_lazy("Sheet name"),
    )


class ConfirmSerializer(serializers.Serializer):
    valid_rows_only = serializers.BooleanField(
        default=False, label=gettext_lazy("import only the valid rows")
    )


class ImportJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Roster imports, as on the import page: upload, check (a dry run), confirm, status.

    Clerks and administrators only; a job is seen by whoever sees the uploader's whole area.
    Check and confirm run in the worker: poll the job until ``status`` is ``previewed``
    (checked), ``done`` or ``failed``.
    """

    pagination_class = IdCursorPagination
    parser_classes = [MultiPartParser, JSONParser]

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not (
            user.is_superuser or user_roles(user) & IMPORTERS
        ):
            return ImportJob.objects.none()
        return (
            _jobs_for(user).defer("errors", "notices") if self.action == "list" else _jobs_for(user)
        )

    def get_serializer_class(self):
        if self.action == "list":
            return ImportListSerializer
        if self.action == "create":
            return UploadSerializer
        if self.action == "confirm":
            return ConfirmSerializer
        return ImportJobSerializer

    @extend_schema(request=UploadSerializer, responses={201: ImportJobSerializer})
    def create(self, request, *args, **kwargs):
        """Upload a roster file; it is checked for safety and kept, not yet read."""
        if not (request.user.is_superuser or user_roles(request.user) & IMPORTERS):
            return Response({"detail": _("Only clerks and administrators import rosters.")}, 403)
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        if file.size > max_upload_bytes():
            return Response(
                {"file": [_("The file is too large; split it into several files.")]}, 400
            )
        try:
            job = services.create_import_job(
                actor=request.user,
                data=file.read(),
                file_name=file.name,
                sheet=upload.validated_data["sheet"].strip(),
            )
        except services.LiaisonError as exc:
            return liaison_error_response(exc)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Start the check (a dry run that writes nothing but the job)."""
        job = self.get_object()
        rerun = job.status == ImportStatus.FAILED and not job.file_deleted_at
        if job.status == ImportStatus.UPLOADED or rerun:
            _run(request, job, confirm=False)
            job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=ConfirmSerializer,
        responses={
            202: ImportJobSerializer,
            409: OpenApiResponse(description="Not checked yet, or rows with errors."),
        },
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Import a checked file: all or nothing, or only the valid rows when asked."""
        job = self.get_object()
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        valid_rows_only = body.validated_data["valid_rows_only"]
        if job.status != ImportStatus.PREVIEWED:
            return Response({"detail": _("This file is not waiting for confirmation.")}, 409)
        if (job.counts or {}).get("error_rows") and not valid_rows_only:
            return Response(
                {
                    "detail": _(
                        "The file has rows with errors, so nothing was imported. Correct the "
                        "file and upload it again, or tick “import only the valid rows”."
                    )
                },
                409,
            )
        _run(request, job, confirm=True, valid_rows_only=valid_rows_only)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
