"""How the web runs in production: ``gunicorn -c portal/gunicorn_conf.py portal.wsgi``.

Threaded workers (``gthread``): a request waiting for a held row (at most the lock budget,
3 s — ``foundation.locks``) holds one thread, not a whole process, so ``/health/`` and
everybody else's pages are answered by the worker's other threads meanwhile. With sync
workers, two saves behind one held row took both processes and a bystander's ``/health/``
waited 9 s (issue 22 §2).

Each thread keeps its own database connection: PostgreSQL needs
``WEB_CONCURRENCY × GUNICORN_THREADS`` connections per machine for the web (default 2 × 8).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30
graceful_timeout = 20
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))  # seconds an idle connection stays
raw_env = ["LIAISON_PROCESS=web"]
