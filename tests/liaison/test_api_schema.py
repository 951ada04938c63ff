import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_openapi_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    assert "/api/v1/areas/{id}/children/" in schema and "subtree" in schema


def test_schema_and_docs_are_served_from_our_own_static_files(client, clerk_a):
    client.force_login(clerk_a)
    assert client.get("/api/v1/schema/").status_code == 200
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def test_api_root_lists_the_areas_endpoint(client, clerk_a):
    client.force_login(clerk_a)
    assert (
        "/api/v1/areas/" in client.get("/api/v1/", HTTP_ACCEPT="application/json").content.decode()
    )


def test_no_template_or_script_loads_anything_from_another_host():
    offenders = []
    for path in [
        *Path(settings.BASE_DIR, "templates").rglob("*.html"),
        *Path(settings.BASE_DIR, "static/js").rglob("*.js"),
        *Path(settings.BASE_DIR, "static/css").rglob("*.css"),
    ]:
        for match in re.finditer(
            r"""(?:src|href|url\()\s*=?\s*["']?(https?:)?//""", path.read_text()
        ):
            offenders.append(f"{path.name}: {match.group(0)}")
    assert offenders == []
