"""Bad input to the API is a 400 with a message, never a server error (issue 9 §3)."""

import base64

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.mark.parametrize("body", ["[null, null]", '"x"', "null", "1", "[]", "true"])
def test_a_token_request_that_is_not_an_object_is_a_400(api_client, body):
    response = api_client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"username": "clerk_a\x00", "password": "x"},
        {"username": "", "password": "x"},
        {"password": "x"},
        {"username": "clerk_a"},
        {"username": ["a"], "password": "x"},
        {"username": "a" * 500, "password": "x"},
    ],
)
def test_a_bad_token_body_names_the_field(api_client, clerk_a, body):
    response = api_client.post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"username", "password", "non_field_errors"}


def test_the_right_credentials_still_get_a_token(api_client, clerk_a):
    response = api_client.post(
        TOKEN_URL, {"username": "clerk_a", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200 and response.json()["token"]


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "raw", ["p=abc", "p=\x00", "p=1\x00", "o=abc", "r=1&p=%%%", "p=99999999999999999999999"]
)
@pytest.mark.parametrize("endpoint", ["households", "cadres", "pairings", "visits", "grievances"])
def test_a_forged_cursor_is_a_400_on_every_list(api_client, county_leader, endpoint, raw):
    api_client.force_authenticate(county_leader)
    response = api_client.get(f"/api/v1/{endpoint}/", {"cursor": _cursor(raw)})
    assert response.status_code == 400, (endpoint, raw, response.content[:300])
    assert "cursor" in response.json()


@pytest.mark.parametrize("raw", ["p=\x00", "p=a\x00b", "o=abc"])
def test_a_forged_cursor_on_the_area_list_is_a_400(api_client, county_leader, raw):
    """Areas page by path: any text is a position, but never a NUL byte or a bad offset."""
    api_client.force_authenticate(county_leader)
    response = api_client.get("/api/v1/areas/", {"cursor": _cursor(raw)})
    assert response.status_code == 400 and "cursor" in response.json()


@pytest.mark.parametrize("cursor", ["!!!", _cursor("garbage"), _cursor("r=1")])
def test_a_cursor_without_a_position_is_the_first_page(api_client, county_leader, cursor):
    api_client.force_authenticate(county_leader)
    assert api_client.get("/api/v1/households/", {"cursor": cursor}).status_code == 200


class TestPerAddressRateLimit:
    """Checking a password costs a second of hashing: one address gets LOGIN_RATE_PER_IP
    attempts (form and token together), whatever user names it tries."""

    @pytest.fixture(autouse=True)
    def _tight(self, settings):
        settings.LOGIN_RATE_PER_IP = "3/60"

    def test_the_token_endpoint_answers_429_after_the_limit(self, api_client, clerk_a):
        for n in range(3):
            body = {"username": f"nobody{n}", "password": "wrong"}
            assert api_client.post(TOKEN_URL, body, format="json").status_code == 400
        response = api_client.post(
            TOKEN_URL, {"username": "clerk_a", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 429 and int(response["Retry-After"]) > 0
        assert "此地址" in response.json()["detail"] or "地址" in response.json()["detail"]
        other = api_client.post(
            TOKEN_URL,
            {"username": "clerk_a", "password": PASSWORD},
            format="json",
            REMOTE_ADDR="10.0.0.9",
        )
        assert other.status_code == 200  # another address is not affected

    def test_the_login_form_shares_the_limit_and_answers_a_chinese_429(self, client, clerk_a):
        for n in range(3):
            client.post(reverse("login"), {"username": f"nobody{n}", "password": "wrong"})
        response = client.post(reverse("login"), {"username": "clerk_a", "password": PASSWORD})
        assert (
            response.status_code == 429 and 'data-testid="error-429"' in response.content.decode()
        )
        assert "_auth_user_id" not in client.session
