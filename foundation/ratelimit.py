"""Per-address rate limits that every web worker shares (the counter lives in the database).

A fixed window per key: ``hit("login", ip, limit=30, window=60)`` counts one request and
says whether it is within the limit and, if not, how many seconds until the window ends.
One statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) counts and reads, so two
workers never both see the last free slot. It works with Redis down, on PostgreSQL and
SQLite. Expired windows are deleted when a new window opens.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    hits: int
    retry_after: int


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/60"`` → (30 requests, 60 seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def client_ip(request) -> str:
    """The address a request came from; behind our TLS proxy, the hop it saw."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]


def hit(scope: str, key: str, *, limit: int, window: int) -> Verdict:
    from foundation.models import RateCounter

    now = time.time()
    start = math.floor(now / window) * window
    bucket = f"{scope}:{key}:{start}"[:200]
    expires = datetime.fromtimestamp(start + window, tz=UTC)
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (bucket, hits, expires_at) VALUES (%s, 1, %s) "
            f"ON CONFLICT (bucket) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
            [bucket, expires],
        )
        hits = cursor.fetchone()[0]
        if hits == 1:
            cursor.execute(
                f"DELETE FROM {table} WHERE expires_at < %s", [datetime.fromtimestamp(now, tz=UTC)]
            )
    return Verdict(hits <= limit, hits, max(1, math.ceil(start + window - now)))


def hit_rate(scope: str, request, rate: str) -> Verdict:
    limit, window = parse_rate(rate)
    return hit(scope, client_ip(request), limit=limit, window=window)
