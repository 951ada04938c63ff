"""REST API of the grievance ledger: ``/api/v1/grievances/``.

Reads go through ``Matter.objects.visible_to`` (out of scope = 404), filtered like the
ledger page. Writes call the ledger services. Every transition is an action
(``POST /api/v1/grievances/{id}/resolve/``) that requires the ``version`` the caller
last read: a stale version or a transition the matter's status does not allow is
answered 409 with the translated message, bad input 400 naming the field, and an action
reserved to another role (owner, leader, handling level) 403.
"""

from django.db.models import F
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from foundation.fastlist import LeanListMixin
from foundation.idempotency import fingerprint_of, key_from, once
from foundation.pagination import IdCursorPagination, IdsFirst

from . import services
from .forms import MatterFilter
from .models import Matter
from .serializers import (
    CloseOutSerializer,
    ExplainSerializer,
    ExtendDeadlineSerializer,
    FeedbackSerializer,
    MatterCreateSerializer,
    MatterDetailSerializer,
    MatterSerializer,
    ReasonSerializer,
    ResolveSerializer,
    StartWorkSerializer,
)

CONFLICT_CODES = {"stale", "illegal_transition"}
FORBIDDEN_CODES = {
    "not_handler",
    "not_leader",
    "not_owner",
    "out_of_scope",
    "own_matter",
    "not_collector",
    "not_allowed",
}

RULE_BROKEN = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Bad input or a rule broken: {field: [message]} (translated)."
)
CONFLICT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The matter changed since `version` was read, or its status does not allow "
    "this step: {detail: message, code: 'stale' | 'illegal_transition'}.",
)
FORBIDDEN = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Reserved to the owner, a leader or the handling level."
)


def matter_error_response(exc: services.MatterError) -> Response:
    """The HTTP answer for a ledger rule broken inside a service."""
    if exc.code in CONFLICT_CODES:
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if exc.code in FORBIDDEN_CODES:
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_403_FORBIDDEN)
    body = {exc.field or api_settings.NON_FIELD_ERRORS_KEY: [exc.message]}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def with_names(matters):
    """The names the list shows, as columns (not four related models per row)."""
    return matters.annotate(
        area_name=F("area__name"),
        owner_name=F("owner__name"),
        handler_name=F("handler__name"),
        handling_area_name=F("handling_area__name"),
    )


class NewestFirstCursorPagination(IdCursorPagination):
    ordering = "-id"


def _transition(request_serializer, summary):
    return extend_schema(
        summary=summary,
        request=request_serializer,
        responses={200: MatterDetailSerializer, 400: RULE_BROKEN, 403: FORBIDDEN, 409: CONFLICT},
    )


@extend_schema_view(
    create=extend_schema(
        request=MatterCreateSerializer,
        responses={201: MatterDetailSerializer, 400: RULE_BROKEN},
    ),
    retrieve=extend_schema(responses=MatterDetailSerializer),
)
class MatterViewSet(
    LeanListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Matters of the grievance ledger that arose or are handled in the caller's scope."""

    serializer_class = MatterSerializer
    filterset_class = MatterFilter
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Matter.objects.none()
        matters = Matter.objects.visible_to(self.request.user)
        if self.action == "list":
            return matters  # the page's ids; its rows get their names in paginate_queryset
        return with_names(matters).prefetch_related("events")

    def paginate_queryset(self, queryset):
        return super().paginate_queryset(IdsFirst(queryset, with_names(Matter.objects.all())))

    def get_serializer_class(self):
        return MatterSerializer if self.action == "list" else MatterDetailSerializer

    def handle_exception(self, exc):
        if isinstance(exc, services.MatterError):
            return matter_error_response(exc)
        return super().handle_exception(exc)

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, matter, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=matter.pk)
        return Response(
            MatterDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        """File a matter (``file_matter``): the owner is the first visitor, fixed for good."""
        data = self._validated(MatterCreateSerializer)
        outcome = once(
            user=request.user,
            key=key_from(request),
            fingerprint=fingerprint_of(request),
            scope="matter",
            model=Matter,
            create=lambda: services.file_matter(actor=request.user, **data),
        )
        return self._answer(
            outcome.obj, status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK
        )

    def _step(self, serializer_class, service):
        matter = self.get_object()
        data = self._validated(serializer_class)
        return self._answer(service(actor=self.request.user, matter=matter, **data))

    @_transition(StartWorkSerializer, "Start work (registered or reported up → in progress)")
    @action(detail=True, methods=["post"], url_path="start-work")
    def start_work(self, request, pk=None):
        return self._step(StartWorkSerializer, services.start_work)

    @_transition(ReasonSerializer, "Report to the higher level (the owner only)")
    @action(detail=True, methods=["post"], url_path="report-up")
    def report_up(self, request, pk=None):
        return self._step(ReasonSerializer, services.report_up)

    @_transition(ResolveSerializer, "Resolve")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._step(ResolveSerializer, services.resolve)

    @_transition(ExplainSerializer, "Close with an explanation (policy or law)")
    @action(detail=True, methods=["post"])
    def explain(self, request, pk=None):
        return self._step(ExplainSerializer, services.explain)

    @_transition(FeedbackSerializer, "Record the household's feedback (dissatisfied reopens)")
    @action(detail=True, methods=["post"], url_path="record-feedback")
    def record_feedback(self, request, pk=None):
        return self._step(FeedbackSerializer, services.record_feedback)

    @_transition(CloseOutSerializer, "Close out (a leader of the handling level)")
    @action(detail=True, methods=["post"], url_path="close-out")
    def close_out(self, request, pk=None):
        return self._step(CloseOutSerializer, services.close_out)

    @_transition(ReasonSerializer, "Reopen a resolved, explained or closed-out matter")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._step(ReasonSerializer, services.reopen)

    @_transition(ExtendDeadlineSerializer, "Extend the deadline (a leader, with a reason)")
    @action(detail=True, methods=["post"], url_path="extend-deadline")
    def extend_deadline(self, request, pk=None):
        return self._step(ExtendDeadlineSerializer, services.extend_deadline)
