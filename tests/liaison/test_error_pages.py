"""What a user sees when something is wrong: Chinese pages in the site's layout (issue 9 §3)."""

import pytest
from django.test import Client
from django.urls import path

from portal import urls as root_urls

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom), *root_urls.urlpatterns]


def test_a_wrong_address_is_a_chinese_404_in_the_layout(client, clerk_a):
    client.force_login(clerk_a)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404 and 'data-testid="error-404"' in page
    assert "页面不存在" in page and "Page not found" not in page and "Traceback" not in page


def test_a_server_error_is_a_chinese_500(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500 and 'data-testid="error-500"' in page
    assert "服务器" in page and "RuntimeError" not in page


def test_the_apis_404_is_translated_and_names_no_model(api_client, clerk_a):
    api_client.force_authenticate(clerk_a)
    for url in ("/api/v1/areas/999999/", "/api/v1/households/999999/", "/api/v1/grievances/99999/"):
        response = api_client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}, url
