"""Sign-in hardening (issue 21, 9): API tokens expire, can be revoked, die with a password
change and are kept only as a digest; the admin's log-in is under the per-address limit."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from foundation.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": "clerk_a", "password": PASSWORD})
    assert response.status_code == 200
    return response.json()


def _households(api_client, key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client.get("/api/v1/households/")


def test_a_token_is_stored_only_as_a_digest_and_expires(api_client, clerk_a, settings):
    answer = _login(api_client)
    key = answer["token"]
    stored = ApiToken.objects.get(user=clerk_a)
    assert key not in stored.digest and len(stored.digest) == 64
    assert stored.expires_at - stored.created_at == timedelta(days=settings.LIAISON_API_TOKEN_DAYS)
    assert answer["expires_at"]
    assert _households(api_client, key).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        refused = _households(api_client, key)
        assert refused.status_code in (401, 403) and refused.json()["detail"] == "认证令牌无效。"


def test_a_token_is_revoked_by_delete(api_client, clerk_a):
    key = _login(api_client)["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.delete("/api/v1/auth/token/").status_code == 204
    assert _households(api_client, key).status_code in (401, 403)
    assert api_client.delete("/api/v1/auth/token/").status_code in (401, 403)


def test_a_password_change_retires_every_token(api_client, clerk_a):
    key = _login(api_client)["token"]
    clerk_a.set_password("Another-horse-7")
    clerk_a.save()
    assert _households(api_client, key).status_code in (401, 403)


def test_no_page_shows_a_usable_key(client, superuser, api_client, clerk_a):
    key = _login(api_client)["token"]
    client.force_login(superuser)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    page = client.get("/admin/").content.decode()
    assert key not in page and "authtoken" not in page


def test_the_admin_log_in_is_rate_limited_per_address(client, settings, superuser):
    settings.LOGIN_RATE_PER_IP = "3/60"
    codes = [
        client.post("/admin/login/", {"username": "root", "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
