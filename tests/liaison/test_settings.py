"""The embedded default and the production switch, checked in fresh processes."""

import os
import subprocess
import sys

from django.conf import settings

# DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests for their own process only.
ENV_KEYS = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECURE_SSL_REDIRECT",
)


def run_manage(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_variables_means_sqlite_eager_celery_debug_off_and_plain_http(tmp_path):
    """`make run` is what a new user sees: DEBUG off (Chinese error pages, not Django's
    English tracebacks), and plain http on 127.0.0.1 works (no redirect to https)."""
    probe = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG,"
        " len(s.SECRET_KEY) >= 50, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
        " s.WHITENOISE_USE_FINDERS)"
    )
    result = run_manage("shell", "-c", probe, env_extra={"LIAISON_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-7:] == [
        "django.db.backends.sqlite3",
        "True",
        "False",
        "True",
        "False",
        "False",
        "True",
    ]
    assert (tmp_path / "secret_key").exists()


def test_debug_is_for_developers_who_ask_for_it(tmp_path):
    probe = "from django.conf import settings as s; print(s.DEBUG)"
    env = {"LIAISON_VAR_DIR": str(tmp_path), "DEBUG": "1"}
    assert run_manage("shell", "-c", probe, env_extra=env).stdout.split()[-1] == "True"


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "SECRET_KEY": "x9#" * 20 + "production-secret-for-the-check",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "liaison.example.gov.cn",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/liaison",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_deployment_redirects_http_to_https_unless_told_otherwise():
    probe = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.DEBUG)"
    deployed = {"SECRET_KEY": "k" * 60}
    assert run_manage("shell", "-c", probe, env_extra=deployed).stdout.split()[-2:] == [
        "True",
        "False",
    ]
    plain = {**deployed, "SECURE_SSL_REDIRECT": "0"}
    assert run_manage("shell", "-c", probe, env_extra=plain).stdout.split()[-2] == "False"


def test_redis_url_switches_celery_to_the_broker():
    probe = "from django.conf import settings as s; print(s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)"
    result = run_manage("shell", "-c", probe, env_extra={"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert result.stdout.split()[-2:] == ["redis://127.0.0.1:6379/3", "False"]
