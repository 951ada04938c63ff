"""A thread kept for ``/health/`` in every web worker (issue 22 §2).

The request threads of a worker can all be waiting (for a held row, up to the lock budget;
for a slow report): a probe queued behind them would say the site is down when it is only
busy. So each gunicorn worker also listens on ``GUNICORN_HEALTH_BIND`` (default
127.0.0.1:8001; every worker on the same port, ``SO_REUSEPORT``) with one thread of its own
that answers ``/health/`` — the same view as on the web port — and nothing else. The load
balancer and the operator probe that port.
"""

from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(WSGIServer):
    allow_reuse_port = True  # every worker of the machine on one port


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # the probes are not news
        pass


def serve(bind: str, application) -> WSGIServer:
    """Answer ``GET /health/`` on ``bind`` ("host:port") from a daemon thread."""
    host, port = bind.rsplit(":", 1)

    def only_health(environ, start_response):
        if environ.get("PATH_INFO") != "/health/":
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"only /health/ here\n"]
        return application(environ, start_response)

    server = make_server(host, int(port), only_health, server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="health", daemon=True)
    thread.start()
    return server
