"""Reads that can leave the primary: with DATABASE_REPLICA_URL set (here the alias points at
the primary, as a test mirror), the dashboard, the exports and the monthly ledger read from
the replica; writes and every other page stay on the primary."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from foundation.replica import ReplicaRouter, read_alias, replica_reads
from grievances.models import Matter
from tests.grievances.conftest import ledger, make_matter  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_the_router_sends_only_marked_reads_to_the_replica(settings, db):
    router = ReplicaRouter()
    settings.LIAISON_READ_REPLICA = False
    with replica_reads():
        assert router.db_for_read(Matter) is None and read_alias() == "default"
    settings.LIAISON_READ_REPLICA = True
    assert router.db_for_read(Matter) is None  # outside a marked block: the primary
    with replica_reads():
        assert router.db_for_read(Matter) == "replica" and read_alias() == "replica"
        assert router.db_for_write(Matter) == "default"


def test_dashboard_export_and_monthly_ledger_read_from_the_replica(
    settings,
    areas,
    county_leader,
    client,
    ledger,  # noqa: F811
    make_matter,  # noqa: F811
):
    settings.LIAISON_READ_REPLICA = True
    settings.LIAISON_DASHBOARD_CACHE_SECONDS = 0  # every request computes: we watch its reads
    make_matter()
    client.force_login(county_leader)
    client.post(reverse("responsibility_areas:set_current"), {"area": areas["ca"].pk})
    for url in (
        reverse("dashboard:area", args=[areas["ca"].pk]),
        reverse("dashboard:export", args=[areas["ca"].pk]),
        reverse("grievances:monthly"),
        reverse("grievances:export"),
    ):
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            response = client.get(url)
        assert response.status_code == 200, url
        assert any("grievances_matter" in q["sql"] for q in on_replica.captured_queries), url
    board = client.get(reverse("dashboard:area", args=[areas["ca"].pk])).content.decode()
    assert 'data-figure="new">1<' in board  # the same figures, read through the other door
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        client.get(reverse("grievances:list"))  # an ordinary page: the primary
    assert not on_replica.captured_queries
