"""The WSGI module gunicorn loads: it answers, and it has frozen what it loaded (so full
garbage collections do not walk Django's and the apps' long-lived objects per request)."""

import gc
import importlib
import io
import sys

import pytest


@pytest.mark.django_db
def test_the_wsgi_application_loads_freezes_and_answers(client):
    gc.unfreeze()
    try:
        wsgi = importlib.reload(importlib.import_module("portal.wsgi"))
        assert gc.get_freeze_count() > 10_000
        responses = []
        body = b"".join(
            wsgi.application(
                {
                    "REQUEST_METHOD": "GET",
                    "PATH_INFO": "/login/",
                    "SERVER_NAME": "127.0.0.1",
                    "SERVER_PORT": "80",
                    "HTTP_HOST": "127.0.0.1",
                    "wsgi.url_scheme": "http",
                    "wsgi.input": io.BytesIO(b""),
                    "wsgi.errors": sys.stderr,
                },
                lambda status, headers, exc_info=None: responses.append(status),
            )
        )
        assert responses == ["200 OK"] and "登录".encode() in body
    finally:
        gc.unfreeze()
