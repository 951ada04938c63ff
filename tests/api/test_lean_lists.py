"""The lean list path returns exactly what the serializers return (one definition of a row)."""

import json
from datetime import date

import pytest
from django.db.models import F
from rest_framework.renderers import JSONRenderer

from foundation.fastlist import rows
from grievances.api import with_names
from grievances.models import Matter
from grievances.serializers import MatterSerializer
from liaison.api_people import LIST_COLUMNS
from liaison.models import Cadre, Household, HouseholdCategory
from liaison.selectors import active_pairing_exists, with_last_visit
from liaison.serializers import CadreSerializer, HouseholdSerializer
from tests.grievances.conftest import ledger, make_matter  # noqa: F401 - fixtures
from tests.liaison.api_world import frozen, people  # noqa: F401 - fixtures
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db


def _same(serializer_class, objects):
    lean = JSONRenderer().render(rows(serializer_class, objects))
    slow = JSONRenderer().render(serializer_class(objects, many=True).data)
    assert json.loads(lean) == json.loads(slow)
    assert lean == slow  # key order and formats too


def test_households_rows_match_the_serializer(areas, ledger):  # noqa: F811
    make_household(areas["ga"], name="贫一", categories=[HouseholdCategory.POOR], address="一组")
    make_household(areas["vb"], name="空二", phone="")
    households = with_last_visit(  # as the viewset reads them: the area's name joined
        Household.objects.only(*LIST_COLUMNS).annotate(
            area_name=F("area__name"), paired=active_pairing_exists()
        )
    ).order_by("id")
    _same(HouseholdSerializer, list(households))


def test_matter_rows_match_the_serializer(areas, ledger, make_matter):  # noqa: F811
    make_matter(received_on=date(2026, 3, 2))
    done = make_matter(received_on=date(2026, 3, 3))
    Matter.objects.filter(pk=done.pk).update(resolved_on=date(2026, 3, 9), outcome="resolved")
    _same(MatterSerializer, list(with_names(Matter.objects.order_by("id"))))


def test_a_method_field_takes_the_exact_path(areas, ledger):  # noqa: F811
    _same(CadreSerializer, list(Cadre.objects.select_related("area").order_by("id")))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_area_rows_match_the_serializer_in_each_language(areas, language):
    from django.utils import translation

    from responsibility_areas.api import AreaSerializer, with_parent_id
    from responsibility_areas.models import Area

    with translation.override(language):
        _same(AreaSerializer, list(with_parent_id(Area.objects.order_by("path"))))


@pytest.mark.usefixtures("frozen")
def test_pairing_and_visit_rows_match_the_serializer(clerk_a, people):  # noqa: F811
    """As the viewsets read them (only the listed columns, names by select_related)."""
    from liaison.api_people import PairingViewSet, VisitViewSet
    from liaison.serializers import PairingSerializer, VisitSerializer

    for viewset, serializer in (
        (PairingViewSet, PairingSerializer),
        (VisitViewSet, VisitSerializer),
    ):
        objects = list(viewset().scoped_queryset(clerk_a).order_by("id"))
        assert objects
        _same(serializer, objects)
