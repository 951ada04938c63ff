"""Nobody sees what is not theirs: pages and API, list/open/change, 404 outside scope."""

import pytest
from django.urls import reverse

from responsibility_areas.models import Area, Membership
from responsibility_areas.scoping import forget_scope, scope_paths
from responsibility_areas.services import end_membership

pytestmark = pytest.mark.django_db


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_clerk_sees_exactly_the_subtree_of_her_township(clerk_a):
    assert names(Area.objects.visible_to(clerk_a)) == {"思茅镇", "甲村", "一组"}


def test_county_leader_sees_the_whole_county_and_nothing_above(county_leader):
    assert names(Area.objects.visible_to(county_leader)) == {
        "思茅区",
        "思茅镇",
        "甲村",
        "一组",
        "南屏镇",
        "乙村",
    }


def test_superuser_sees_everything_and_a_user_without_membership_nothing(superuser, nobody, areas):
    assert Area.objects.visible_to(superuser).count() == len(areas)
    assert Area.objects.visible_to(nobody).count() == 0


def test_nested_memberships_collapse_to_the_outer_subtree(county_leader, areas):
    from responsibility_areas.services import grant_membership

    grant_membership(actor=None, user=county_leader, area=areas["ta"], role="clerk")
    forget_scope(county_leader)
    assert scope_paths(county_leader) == [areas["ca"].path]


def test_ended_membership_no_longer_grants_sight(clerk_a, superuser):
    membership = Membership.objects.get(user=clerk_a)
    end_membership(actor=superuser, membership=membership)
    forget_scope(clerk_a)
    assert Area.objects.visible_to(clerk_a).count() == 0


@pytest.mark.parametrize("url_name", ["responsibility_areas:detail"])
def test_sibling_township_area_page_is_404(client, clerk_a, areas, url_name):
    client.force_login(clerk_a)
    assert client.get(reverse(url_name, args=[areas["ta"].pk])).status_code == 200
    assert client.get(reverse(url_name, args=[areas["tb"].pk])).status_code == 404
    assert client.get(reverse(url_name, args=[areas["vb"].pk])).status_code == 404
    assert client.get(reverse(url_name, args=[areas["ca"].pk])).status_code == 404


def test_picker_lists_only_own_areas_and_404s_a_sibling_parent(client, clerk_a, areas):
    client.force_login(clerk_a)
    page = client.get(reverse("responsibility_areas:picker")).content.decode()
    assert "思茅镇" in page and "南屏镇" not in page
    found = client.get(reverse("responsibility_areas:picker"), {"q": "村"}).content.decode()
    assert "甲村" in found and "乙村" not in found and "丙村" not in found
    sibling = client.get(reverse("responsibility_areas:picker"), {"parent": areas["tb"].pk})
    assert sibling.status_code == 404


def test_sibling_area_cannot_be_made_current(client, clerk_a, areas):
    client.force_login(clerk_a)
    url = reverse("responsibility_areas:set_current")
    assert client.post(url, {"area": areas["tb"].pk}).status_code == 404
    assert client.post(url, {"area": areas["va"].pk}).status_code == 302
    assert client.session["current_area_id"] == areas["va"].pk


def test_sibling_area_cannot_be_moved_even_by_its_own_clerk(
    client, clerk_b_sibling, clerk_a, areas
):
    client.force_login(clerk_a)
    url = reverse("responsibility_areas:move", args=[areas["vb"].pk])
    assert client.post(url, {"new_parent": areas["ta"].pk}).status_code == 404
    client.force_login(clerk_b_sibling)  # in scope, but a clerk is no administrator
    assert client.post(url, {"new_parent": areas["tb"].pk}).status_code == 404
    assert Area.objects.get(pk=areas["vb"].pk).path == areas["vb"].path


def test_api_lists_only_the_callers_subtree(api_client, clerk_a, areas):
    api_client.force_authenticate(clerk_a)
    body = api_client.get("/api/v1/areas/").json()
    assert {row["name"] for row in body["results"]} == {"思茅镇", "甲村", "一组"}
    village = next(row for row in body["results"] if row["name"] == "甲村")
    assert village["parent"] == areas["ta"].pk and village["level"] == "village"


def test_api_retrieve_children_and_filters_of_a_sibling_are_hidden(api_client, clerk_a, areas):
    api_client.force_authenticate(clerk_a)
    sibling = areas["tb"].pk
    assert api_client.get(f"/api/v1/areas/{sibling}/").status_code == 404
    assert api_client.get(f"/api/v1/areas/{sibling}/children/").status_code == 404
    assert api_client.get("/api/v1/areas/", {"subtree": sibling}).json()["results"] == []
    assert api_client.get("/api/v1/areas/", {"parent": sibling}).json()["results"] == []
    own = api_client.get(f"/api/v1/areas/{areas['ta'].pk}/children/").json()
    assert [row["name"] for row in own["results"]] == ["甲村"]


def test_api_is_read_only_for_areas(api_client, clerk_a, areas):
    api_client.force_authenticate(clerk_a)
    response = api_client.patch(f"/api/v1/areas/{areas['ta'].pk}/", {"name": "x"}, format="json")
    assert response.status_code == 405


def test_api_needs_authentication_and_accepts_a_token(api_client, clerk_a):
    assert api_client.get("/api/v1/areas/").status_code in (401, 403)
    token = api_client.post(
        "/api/v1/auth/token/", {"username": "clerk_a", "password": "Correct-horse-9"}
    )
    assert token.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert len(api_client.get("/api/v1/areas/").json()["results"]) == 3


def test_api_subtree_filter_and_level_filter(api_client, county_leader, areas):
    api_client.force_authenticate(county_leader)
    rows = api_client.get("/api/v1/areas/", {"subtree": areas["tb"].pk}).json()["results"]
    assert {r["name"] for r in rows} == {"南屏镇", "乙村"}
    rows = api_client.get("/api/v1/areas/", {"level": "village"}).json()["results"]
    assert {r["name"] for r in rows} == {"甲村", "乙村"}


def test_audit_log_is_scoped_and_hidden_from_clerks(client, clerk_a, county_leader, areas):
    client.force_login(clerk_a)
    assert client.get(reverse("audit_log")).status_code == 404
    client.force_login(county_leader)
    page = client.get(reverse("audit_log")).content.decode()
    assert "clerk_a" in page  # the membership granted inside the county
    assert 'data-action="area.tree_ensured"' not in page  # the tree was built at province level
