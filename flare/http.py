"""The HTTP server every Flare process runs: /healthz and /metrics, and its own routes by path."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import redis
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from flare.defaults import MAX_SLACK_BYTES

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _plain(
    start_response: Callable[..., Any],
    status: str,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def router(client: redis.Redis, routes: dict[str, Wsgi] | None = None) -> Wsgi:
    """Route by path: health (Redis reachable), Prometheus metrics, then the process's routes
    (Slack's events for `flare bot`, POST /intake for `flare listen`)."""
    routes = dict(routes or {})

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            try:
                client.ping()
            except redis.RedisError as exc:
                return _plain(start_response, "503 Service Unavailable", f"redis: {exc}\n".encode())
            return _plain(start_response, "200 OK", b"ok\n")
        if path == "/metrics":
            return _plain(start_response, "200 OK", generate_latest(), CONTENT_TYPE_LATEST)
        if path in routes:
            return routes[path](environ, start_response)
        return _plain(start_response, "404 Not Found", b"not found\n")

    return wsgi


def serve(wsgi: Wsgi, host: str, port: int, max_body: int = MAX_SLACK_BYTES) -> None:
    """Serve until stopped; a body declared over `max_body` bytes is refused (413) by the
    server before it is read, and each route checks its own limit again."""
    from waitress import serve as waitress_serve

    waitress_serve(
        wsgi, host=host, port=port, threads=8, ident="flare", max_request_body_size=max_body
    )
