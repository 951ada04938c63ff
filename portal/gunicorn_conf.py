"""How the web runs in production: ``gunicorn -c portal/gunicorn_conf.py portal.wsgi``.

Threaded workers (``gthread``): a request waiting for a held row (at most the lock budget,
3 s — ``foundation.locks``) holds one thread, not a whole process, so everybody else's pages
are answered by the worker's other threads meanwhile; and every worker keeps one more
thread for ``/health/`` alone, on ``GUNICORN_HEALTH_BIND`` (``portal/health_server.py``),
answered even while all its request threads wait. With sync workers, two saves behind one
held row took both processes and a bystander's ``/health/`` waited 9 s (issue 22 §2).

Each thread keeps its own database connection: PostgreSQL needs
``WEB_CONCURRENCY × (GUNICORN_THREADS + 1)`` connections per machine for the web (default
2 × 3). Two request threads a worker: a request waiting for a lock leaves the worker free
for another, and few CPU-bound threads do not queue for the GIL (bench/RESULTS.md, the
month-end rush: more threads a worker, slower diaries).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30
graceful_timeout = 20
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))  # seconds an idle connection stays
raw_env = ["LIAISON_PROCESS=web"]
health_bind = os.environ.get("GUNICORN_HEALTH_BIND", "127.0.0.1:8001")  # "" to turn it off


def post_worker_init(worker):
    """Every worker keeps a thread for /health/ (portal/health_server.py)."""
    if health_bind:
        from portal.health_server import serve

        serve(health_bind, worker.wsgi)
