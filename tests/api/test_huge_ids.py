"""An id no row can have is "does not exist" (400), never a 500 — on SQLite an integer past
64 bits raised OverflowError in the diary's read-by-key path (found by schemathesis)."""

import pytest


@pytest.mark.django_db
def test_ids_past_the_integer_range_are_a_clear_400(api_client, clerk_a):
    api_client.force_authenticate(clerk_a)
    for value in (2**63, 2**64, -(2**63) - 1, 10**30):
        response = api_client.post(
            "/api/v1/visits/",
            {"cadre": value, "visited_on": "2026-06-01", "kind": "home", "households": [value]},
            format="json",
        )
        assert response.status_code == 400, (value, response.status_code, response.content[:300])
