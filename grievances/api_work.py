"""REST API of the ledger's working life around the matters: joint meetings, supervision
notices, notifications and the monthly ledger. Scoped exactly like the pages."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.fastlist import LeanListMixin
from foundation.filters import IdFilter
from foundation.pagination import IdCursorPagination
from foundation.periods import Period
from foundation.replica import replica_reads
from liaison.models import MatterKind
from responsibility_areas.models import Area

from .inbox import mark_notifications_read, notifications_for
from .indicators import FIGURES, finish, ledger_figures
from .models import (
    JointMeeting,
    MeetingMatter,
    NoticeStatus,
    Notification,
    NotificationKind,
    PublicReport,
    ReportStatus,
    SupervisionNotice,
)
from .views.monthly import _month


class AreaSubtreeFilter(django_filters.FilterSet):
    area = IdFilter(method="filter_area", label=_("Area id: everything in its whole subtree"))

    def filter_area(self, queryset, name, value):
        area = Area.objects.visible_to(self.request.user).filter(pk=value).first()
        return queryset.subtree_of(area) if area else queryset.none()


# --- Joint meetings ------------------------------------------------------------------------


class DecisionSerializer(serializers.ModelSerializer):
    lead_cadre_name = serializers.CharField(source="lead_cadre.name", read_only=True)

    class Meta:
        model = MeetingMatter
        fields = [
            "id",
            "matter",
            "decision",
            "lead_cadre",
            "lead_cadre_name",
            "people",
            "plan",
            "time_limit",
        ]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = JointMeeting
        fields = [
            "id",
            "area",
            "area_name",
            "level",
            "held_on",
            "chair",
            "attendees",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    decisions = DecisionSerializer(many=True, read_only=True, source="decisions_list")

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "decisions"]
        read_only_fields = fields


class MeetingFilter(AreaSubtreeFilter):
    held_on = django_filters.DateFromToRangeFilter(
        label=_("Held between (held_on_after, held_on_before)")
    )

    class Meta:
        model = JointMeeting
        fields = ["area", "level", "held_on"]


class MeetingViewSet(LeanListMixin, viewsets.ReadOnlyModelViewSet):
    """Joint meetings (民情联席会议) in the caller's subtrees, with their decisions (四定)."""

    filterset_class = MeetingFilter
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return JointMeeting.objects.none()
        return JointMeeting.objects.visible_to(self.request.user).select_related("area")

    def get_serializer_class(self):
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        meeting = self.get_object()
        meeting.decisions_list = list(
            MeetingMatter.objects.filter(meeting=meeting)
            .select_related("lead_cadre")
            .order_by("id")
        )
        return Response(MeetingDetailSerializer(meeting).data)


# --- Supervision notices -------------------------------------------------------------------


class NoticeSerializer(serializers.ModelSerializer):
    recipient_name = serializers.CharField(source="recipient.name", read_only=True)
    matter_number = serializers.CharField(source="matter.number", read_only=True, allow_null=True)

    class Meta:
        model = SupervisionNotice
        fields = [
            "id",
            "area",
            "matter",
            "matter_number",
            "recipient",
            "recipient_name",
            "issuer_name",
            "issued_at",
            "respond_by",
            "status",
            "text",
            "acknowledged_at",
            "responded_at",
            "response",
        ]
        read_only_fields = fields


class NoticeFilter(AreaSubtreeFilter):
    box = django_filters.ChoiceFilter(
        choices=[("received", _("Received")), ("issued", _("Issued"))],
        method="filter_box",
        label=_("received (addressed to my cadre) or issued (by me); both when left out"),
    )
    status = django_filters.ChoiceFilter(choices=NoticeStatus.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Past the response date")
    )

    class Meta:
        model = SupervisionNotice
        fields = ["area", "box", "status", "overdue"]

    def filter_box(self, queryset, name, value):
        user = self.request.user
        if value == "received":
            cadre = getattr(user, "cadre", None)
            return queryset.filter(recipient=cadre) if cadre else queryset.none()
        return queryset.filter(issued_by=user)

    def filter_overdue(self, queryset, name, value):
        overdue = SupervisionNotice.objects.overdue(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


class NoticeViewSet(LeanListMixin, viewsets.ReadOnlyModelViewSet):
    """Supervision notices (督办通知): those in the caller's subtrees, and those addressed
    to the caller's cadre wherever they were issued."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupervisionNotice.objects.none()
        user = self.request.user
        notices = SupervisionNotice.objects.visible_to(user)
        cadre = getattr(user, "cadre", None)
        if cadre is not None:
            notices = notices | SupervisionNotice.objects.received_by(cadre)
        return notices.select_related("matter", "recipient")


# --- Notifications -------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    matter_number = serializers.CharField(source="matter.number", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "matter", "matter_number", "created_at", "read_at"]
        read_only_fields = fields


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("Unread only")
    )
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices, label=_("Kind"))

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


class NotificationViewSet(LeanListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications (to their account or their cadre)."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notifications_for(self.request.user).select_related("matter")

    @extend_schema(
        request=inline_serializer(
            "MarkRead",
            {"ids": serializers.ListField(child=serializers.IntegerField(), required=False)},
        ),
        responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"])
    def read(self, request):
        """Mark the caller's notifications read: those in ``ids``, or all of them."""
        ids = request.data.get("ids") if isinstance(request.data, dict) else None
        if ids is not None and not (
            isinstance(ids, list)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
        ):
            return Response({"ids": [_("A list of notification ids.")]}, status=400)
        return Response({"marked": mark_notifications_read(actor=request.user, ids=ids)})


# --- The monthly ledger --------------------------------------------------------------------

LEDGER_FIELDS = [*FIGURES, "on_time_rate", "avg_days"]


LedgerRowSerializer = type(
    "LedgerRowSerializer",
    (serializers.Serializer,),
    {
        "area": serializers.IntegerField(),
        "name": serializers.CharField(),
        **{name: serializers.FloatField(allow_null=True) for name in LEDGER_FIELDS},
    },
)


class MonthlyLedgerView(APIView):
    """The monthly ledger (民情台账月报) of an area in scope and its children, for a month:
    the month in progress live, closed months from the rollup (``computed_at``)."""

    @extend_schema(
        operation_id="monthly_ledger_retrieve",
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (default: this month)")
        ],
        responses={
            200: inline_serializer(
                "MonthlyLedger",
                {
                    "month": serializers.CharField(),
                    "computed_at": serializers.DateTimeField(allow_null=True),
                    "total": LedgerRowSerializer(),
                    "children": LedgerRowSerializer(many=True),
                },
            )
        },
    )
    @method_decorator(replica_reads)
    def get(self, request, area_id: int):
        area = Area.objects.visible_to(request.user).filter(pk=area_id).first()
        if area is None:
            raise Http404
        month = _month(request, request.query_params)
        figures = ledger_figures(request.user, area, Period(month, month, timezone.localdate()))
        children = Area.objects.visible_to(request.user).filter(
            path__startswith=area.path, depth=area.depth + 1
        )

        def row(a, figures_row):
            return {"area": a.pk, "name": a.name, **{k: figures_row.get(k) for k in LEDGER_FIELDS}}

        return Response(
            {
                "month": f"{month:%Y-%m}",
                "computed_at": figures["computed_at"],
                "total": row(area, figures["total"]),
                "children": [
                    row(child, figures["children"].get(child.path) or finish({}))
                    for child in children.order_by("path")
                ],
            }
        )


# --- Public reports (群众反映) ---------------------------------------------------------------


class PublicReportSerializer(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True, allow_null=True)
    matter_number = serializers.CharField(source="matter.number", read_only=True, allow_null=True)

    class Meta:
        model = PublicReport
        fields = [
            "id",
            "reference",
            "area",
            "household",
            "household_name",
            "cadre",
            "cadre_name",
            "description",
            "status",
            "matter",
            "matter_number",
            "created_at",
            "accepted_at",
        ]
        read_only_fields = fields


class AcceptReportSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MatterKind.choices, default=MatterKind.DIFFICULTY)
    topic = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class PublicReportFilter(AreaSubtreeFilter):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("Status"))

    class Meta:
        model = PublicReport
        fields = ["area", "status"]


class PublicReportViewSet(LeanListMixin, viewsets.ReadOnlyModelViewSet):
    """Reports households sent from their contact card: those received by the caller's cadre
    and those in the caller's subtrees; ``accept`` takes one into the ledger (受理)."""

    serializer_class = PublicReportSerializer
    filterset_class = PublicReportFilter
    pagination_class = IdCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PublicReport.objects.none()
        from .views.reports import reports_for

        return reports_for(self.request.user).select_related("household", "cadre", "matter")

    @extend_schema(request=AcceptReportSerializer, responses={200: PublicReportSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Take the report into the ledger; the receiving cadre owns the matter (DOMAIN §4)."""
        from . import services

        report = self.get_object()
        data = AcceptReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.accept_public_report(actor=request.user, report=report, **data.validated_data)
        except services.MatterError as exc:
            return Response({exc.field or "detail": [exc.message]}, status=400)
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)
