"""The bot's HTTP server: Slack at /slack/events, plus /healthz and /metrics, on waitress."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import redis
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _plain(
    start_response: Callable[..., Any],
    status: str,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def build_wsgi(app: App | None, client: redis.Redis, extra: dict[str, Wsgi] | None = None) -> Wsgi:
    """Route by path; Slack requests are verified and dispatched by Bolt itself."""
    slack = SlackRequestHandler(app) if app else None
    routes = dict(extra or {})

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
        if path == "/slack/events" and slack:
            return slack(environ, start_response)
        if path in routes:
            return routes[path](environ, start_response)
        return _plain(start_response, "404 Not Found", b"not found\n")

    return wsgi


def serve(wsgi: Wsgi, host: str, port: int) -> None:
    from waitress import serve as waitress_serve

    waitress_serve(wsgi, host=host, port=port, threads=8, ident="flare")
