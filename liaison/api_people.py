"""REST API for people and their links: cadres, households, pairings, visit diaries.

Reads go through ``visible_to`` (out of scope = 404); writes call the liaison services,
and a broken rule (``LiaisonError``) answers 400 ``{field: [message]}``, or 409 for an ID
number that is already registered.
"""

from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from foundation.fastlist import LeanListMixin, model_columns
from foundation.idempotency import fingerprint_of, key_from, once
from foundation.pagination import IdCursorPagination
from foundation.prepared import Prepared, PreparedPage
from responsibility_areas.selectors import scope_as_ids

from . import services
from .filters import CadreFilter, HouseholdFilter, PairingFilter, VisitFilter
from .models import Cadre, Household, Pairing, Visit
from .selectors import active_pairing_exists, visible_visits, with_last_visit
from .serializers import (
    NOTE_FIELDS,
    CadreSerializer,
    HouseholdCreateSerializer,
    HouseholdIdentitySerializer,
    HouseholdSerializer,
    PairingCreateSerializer,
    PairingEndSerializer,
    PairingSerializer,
    VisitCreateSerializer,
    VisitSerializer,
)

RULE_BROKEN = OpenApiResponse(
    OpenApiTypes.OBJECT, description="A rule was broken: {field: [message]} (translated)."
)
DUPLICATE_ID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="ID number already registered: {id_number: [message], existing: id} "
    "(existing only when the caller may see that household).",
)


FORBIDDEN = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Not allowed for this user: {detail: message} (translated)."
)


class NewestFirstCursorPagination(IdCursorPagination):
    ordering = "-id"


def liaison_error_response(exc: services.LiaisonError) -> Response:
    """The HTTP answer for a rule broken inside a service."""
    if exc.code == "forbidden":
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    body = {exc.field or api_settings.NON_FIELD_ERRORS_KEY: [exc.message]}
    if exc.code == "duplicate_id":
        if exc.existing is not None:
            body["existing"] = exc.existing.pk
        return Response(body, status=status.HTTP_409_CONFLICT)
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class PeopleViewSetMixin:
    """Scoped querysets (guarded for schema generation) and service errors as HTTP answers."""

    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scoped_queryset(self.request.user)

    def scoped_queryset(self, user):
        return self.model.objects.visible_to(user).select_related("area")

    def handle_exception(self, exc):
        if isinstance(exc, services.LiaisonError):
            return liaison_error_response(exc)
        return super().handle_exception(exc)

    def validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def created(self, obj, first=True):
        """The new object, read back through the scoped queryset (with its annotations).

        ``first=False``: an earlier call with the same Idempotency-Key made it (200).
        """
        fresh = get_object_or_404(self.get_queryset(), pk=obj.pk)
        code = status.HTTP_201_CREATED if first else status.HTTP_200_OK
        return Response(self.get_serializer(fresh).data, status=code)


class CadreViewSet(PeopleViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Cadres whose home area lies in the caller's scope. Phones are masked."""

    model = Cadre
    serializer_class = CadreSerializer
    filterset_class = CadreFilter
    pagination_class = IdCursorPagination


# The household's own columns the list shows (the serializer's model fields), and the path
# its scope reads: derived, so a field added to the serializer is never read lazily per row.
LIST_COLUMNS = model_columns(HouseholdSerializer, "area_path")


# What the pairing and diary lists read of their rows and of the rows they name.
PAIRING_COLUMNS = model_columns(
    PairingSerializer, "area_path", "area__name", "cadre__name", "household__head_name"
)
VISIT_COLUMNS = model_columns(
    VisitSerializer, "area_path", "area__name", "cadre__name", "entered_by__username"
)


def listed_households(households, on=None):
    """The columns the list shows, the area's name joined (not a second model per row), and
    whether the household is paired ``on`` that day (today) and when it was last visited.

    For a scope of whole counties (or townships) the caller filters by ``county_id`` (or
    ``township_id``): the same rows as the path prefix, read through the ``(county, id)``
    index in id order, so a cursor page stops after one page of rows.
    """
    households = households.only(*LIST_COLUMNS).annotate(
        area_name=F("area__name"), paired=active_pairing_exists(on)
    )
    return with_last_visit(households)


def _household_page(*, level, ids, today, ordering, lookup, start, stop, position=None):
    households = listed_households(Household.objects.in_scope_ids(level, ids), today)
    households = households.order_by(*ordering)
    if lookup:
        households = households.filter(**{lookup: position})
    return households[start:stop]


HOUSEHOLD_PAGE = Prepared(_household_page)


@extend_schema_view(
    create=extend_schema(
        request=HouseholdCreateSerializer,
        responses={201: HouseholdSerializer, 400: RULE_BROKEN, 409: DUPLICATE_ID},
    )
)
class HouseholdViewSet(
    LeanListMixin,
    PeopleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Households in the caller's scope. ID numbers and phones are always masked here."""

    model = Household
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    pagination_class = IdCursorPagination

    def scoped_queryset(self, user):
        return listed_households(Household.objects.listed_for(user))

    def prepared_list(self):
        """An unfiltered page for a scope of whole counties (or townships): the same query
        as :meth:`scoped_queryset`, its SQL compiled once per process."""
        exact = scope_as_ids(self.request.user)
        if exact is None:
            return None
        level, ids = exact
        return PreparedPage(HOUSEHOLD_PAGE, {"level": level}, ids=ids, today=timezone.localdate())

    def create(self, request, *args, **kwargs):
        """Register a household (``register_household``); the ID number must be new."""
        data = self.validated(HouseholdCreateSerializer)
        outcome = once(
            user=request.user,
            key=key_from(request),
            fingerprint=fingerprint_of(request),
            scope="household",
            model=Household,
            create=lambda: services.register_household(actor=request.user, **data),
        )
        return self.created(outcome.obj, first=outcome.created)

    @extend_schema(
        request=None,
        responses={
            200: HouseholdIdentitySerializer,
            403: OpenApiResponse(description="Without the permission to see full numbers."),
        },
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """Full ID number and phone, for users with ``liaison.view_full_pii``; audited."""
        household = self.get_object()
        revealed = services.reveal_household_identity(actor=request.user, household=household)
        response = Response(HouseholdIdentitySerializer(revealed).data)
        response["Cache-Control"] = "no-store"
        return response


@extend_schema_view(
    create=extend_schema(
        request=PairingCreateSerializer,
        responses={200: PairingSerializer, 201: PairingSerializer, 400: RULE_BROKEN},
    )
)
class PairingViewSet(
    LeanListMixin,
    PeopleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Cadre–household pairings in the caller's scope, ended ones kept as history."""

    model = Pairing
    serializer_class = PairingSerializer
    filterset_class = PairingFilter
    pagination_class = IdCursorPagination

    def scoped_queryset(self, user):
        return (
            Pairing.objects.listed_for(user)
            .select_related("area", "cadre", "household")
            .only(*PAIRING_COLUMNS)
        )

    def create(self, request, *args, **kwargs):
        """Pair a cadre with a household; an identical open pairing is answered with 200."""
        data = self.validated(PairingCreateSerializer)
        already_open = Pairing.objects.filter(
            cadre=data["cadre"], household=data["household"], end_date__isnull=True
        ).exists()
        pairing = services.pair_household(actor=request.user, **data)
        if already_open:
            return Response(self.get_serializer(self.get_queryset().get(pk=pairing.pk)).data)
        return self.created(pairing)

    @extend_schema(
        request=PairingEndSerializer, responses={200: PairingSerializer, 400: RULE_BROKEN}
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the pairing (today unless ``end_date`` is given); it stays as history."""
        pairing = self.get_object()
        data = self.validated(PairingEndSerializer)
        services.end_pairing(actor=request.user, pairing=pairing, end_date=data.get("end_date"))
        return Response(self.get_serializer(self.get_queryset().get(pk=pairing.pk)).data)


@extend_schema_view(
    create=extend_schema(
        request=VisitCreateSerializer,
        responses={201: VisitSerializer, 400: RULE_BROKEN, 403: FORBIDDEN},
    )
)
class VisitViewSet(
    LeanListMixin,
    PeopleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Visit diaries: a cadre with no other role sees only their own, others their subtree's."""

    model = Visit
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    pagination_class = NewestFirstCursorPagination

    def scoped_queryset(self, user):
        return (
            visible_visits(user)
            .select_related("area", "cadre", "entered_by")
            .only(*VISIT_COLUMNS)
            .prefetch_related(
                Prefetch("households", queryset=Household.objects.only("id", "head_name")),
                "matters",
            )
        )

    def create(self, request, *args, **kwargs):
        """Record a diary entry (``record_visit``) with its households and matters raised."""
        data = self.validated(VisitCreateSerializer)
        notes = {field: data.pop(field) for field in NOTE_FIELDS}
        outcome = once(
            user=request.user,
            key=key_from(request),
            fingerprint=fingerprint_of(request),
            scope="visit",
            model=Visit,
            create=lambda: services.record_visit(actor=request.user, notes=notes, **data),
        )
        if outcome.created:  # the diary as written, its households and matters in hand
            return Response(self.get_serializer(outcome.obj).data, status=status.HTTP_201_CREATED)
        return self.created(outcome.obj, first=False)
