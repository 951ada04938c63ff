"""Login, language, lockout keyed by username (a township office shares one IP)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="10.0.0.8"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_page_is_chinese_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


def test_language_switch_to_english_and_back(client, clerk_a):
    client.force_login(clerk_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.get(reverse("home"))["Content-Language"] == "en"
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert client.get(reverse("home"))["Content-Language"] == "zh-hans"


def test_pages_need_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_clerk_logs_in_and_sees_her_township_home(client, clerk_a):
    response = login(client, "clerk_a", PASSWORD)
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert "思茅镇" in page and "南屏镇" not in page


def test_five_failures_lock_the_account_for_thirty_minutes(client, clerk_a):
    for _ in range(5):
        assert login(client, "clerk_a", "wrong-password").status_code in (200, 429)
    locked = login(client, "clerk_a", PASSWORD)
    assert locked.status_code == 429
    assert "30" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert login(client, "clerk_a", PASSWORD).status_code == 302


def test_a_locked_account_does_not_lock_its_office_neighbour(client, clerk_a, clerk_b_sibling):
    for _ in range(6):
        login(client, "clerk_a", "wrong-password", ip="10.0.0.8")
    assert login(client, "clerk_b", PASSWORD, ip="10.0.0.8").status_code == 302


def test_four_failures_then_success_resets_the_count(client, clerk_a):
    for _ in range(4):
        login(client, "clerk_a", "wrong-password")
    assert login(client, "clerk_a", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, "clerk_a", "wrong-password")
    assert login(client, "clerk_a", PASSWORD).status_code == 302


def test_api_token_endpoint_shares_the_lockout(api_client, clerk_a):
    url = reverse("api-token")
    for _ in range(5):
        api_client.post(url, {"username": "clerk_a", "password": "nope"}, REMOTE_ADDR="10.0.0.9")
    response = api_client.post(
        url, {"username": "clerk_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert "token" not in response.content.decode()


def test_logout_ends_the_session(client, clerk_a):
    login(client, "clerk_a", PASSWORD)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
