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


def test_no_variables_means_sqlite_eager_celery_and_debug(tmp_path):
    probe = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, len(s.SECRET_KEY) >= 50)"
    )
    result = run_manage("shell", "-c", probe, env_extra={"LIAISON_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-4:] == ["django.db.backends.sqlite3", "True", "True", "True"]
    assert (tmp_path / "secret_key").exists()


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


def test_debug_off_without_a_secret_refuses_to_start():
    result = run_manage("check", env_extra={"DEBUG": "0"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_redis_url_switches_celery_to_the_broker():
    probe = "from django.conf import settings as s; print(s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)"
    result = run_manage("shell", "-c", probe, env_extra={"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert result.stdout.split()[-2:] == ["redis://127.0.0.1:6379/3", "False"]
