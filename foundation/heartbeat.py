"""Is a Celery worker alive? Each worker run of the minutely outbox drain leaves a mark in
Redis (with a time to live); ``/health/`` reads it. Short timeouts: never a slow answer."""

from __future__ import annotations

import time

from django.conf import settings

KEY = "liaison:worker-heartbeat"
TTL = 180  # seconds: three missed beats and the worker counts as gone


def _client():
    import redis

    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=0.05, socket_timeout=0.1, retry_on_timeout=False
    )


def beat() -> None:
    if settings.REDIS_URL:
        try:
            _client().set(KEY, str(time.time()), ex=TTL)
        except Exception:  # noqa: BLE001 - a heartbeat never fails the task that carries it
            pass


def status() -> dict:
    """{"redis": ok|down|not used, "worker": ok|silent|not used, "worker_seen_seconds_ago": n}"""
    if not settings.REDIS_URL:
        return {"redis": "not used", "worker": "not used (tasks run in the web process)"}
    try:
        client = _client()
        client.ping()
        seen = client.get(KEY)
    except Exception:  # noqa: BLE001 - down is an answer, not an error
        return {"redis": "down", "worker": "unknown"}
    if seen is None:
        return {"redis": "ok", "worker": "silent"}
    return {
        "redis": "ok",
        "worker": "ok",
        "worker_seen_seconds_ago": round(time.time() - float(seen)),
    }
