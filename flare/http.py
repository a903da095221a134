"""The HTTP server every Flare process runs: /healthz and /metrics, and its own routes by path."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from flare.defaults import MAX_SLACK_BYTES
from flare.health import Check

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _plain(
    start_response: Callable[..., Any],
    status: str,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def router(
    client: redis.Redis, routes: dict[str, Wsgi] | None = None, checks: Iterable[Check] = ()
) -> Wsgi:
    """Route by path: /healthz (Redis reachable, then the process's own `checks`: its workers,
    its stream; what to alert on), /livez (Redis reachable alone: what a probe that restarts or
    unroutes the process asks, since a bot still takes clicks while the workers are down),
    Prometheus metrics, then the process's routes (Slack's events for `flare bot`, POST /intake
    for `flare listen`)."""
    routes = dict(routes or {})
    checks = tuple(checks)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in ("/healthz", "/livez"):
            own = checks if path == "/healthz" else ()
            try:
                client.ping()
                wrong = [why for check in own if (why := check())]
            except redis.RedisError as exc:
                wrong = [f"redis: {exc}"]
            if wrong:
                body = "".join(f"{why}\n" for why in wrong).encode()
                return _plain(start_response, "503 Service Unavailable", body)
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


class Server:
    """A waitress server on a thread of its own that can stop taking requests and wait for
    the ones in flight to be answered (a process stopping on SIGTERM)."""

    def __init__(
        self, wsgi: Wsgi, host: str, port: int, max_body: int = MAX_SLACK_BYTES, threads: int = 8
    ) -> None:
        from waitress.server import create_server

        self._in_flight = 0
        self._idle = threading.Condition()
        server: Any = create_server(
            self._counted(wsgi),
            host=host,
            port=port,
            threads=threads,
            ident="flare",
            max_request_body_size=max_body,
        )
        self._server = server
        self._thread: threading.Thread | None = None
        self.port = int(server.effective_port)
        self.host = str(server.effective_host)  # the address bound: 127.0.0.1, 0.0.0.0, ...

    def _counted(self, wsgi: Wsgi) -> Wsgi:
        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            with self._idle:
                self._in_flight += 1
            try:
                return list(wsgi(environ, start_response))  # every route answers in one piece
            finally:
                with self._idle:
                    self._in_flight -= 1
                    self._idle.notify_all()

        return app

    def start(self, name: str = "flare-http") -> Server:
        self._thread = threading.Thread(target=self._server.run, name=name, daemon=True)
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop serving: every socket closed on the server's own thread, which then ends, and
        its request threads stopped. (Closed from another thread, the server's select fails
        on the closed socket and prints a traceback as the process stops.)"""
        from waitress import wasyncore

        sockets = self._server._map

        def close_all() -> None:
            wasyncore.close_all(sockets, ignore_all=True)

        thread = self._thread
        if thread is not None and thread.is_alive():
            with contextlib.suppress(OSError):  # its trigger closed already: the loop is ending
                self._server.trigger.pull_trigger(close_all)
            thread.join(timeout)
        if thread is None or not thread.is_alive():
            close_all()  # no loop runs now, so closing here races nobody (twice is harmless)
        self._server.task_dispatcher.shutdown(timeout=timeout)

    def stop_taking(self, timeout: float) -> bool:
        """Close the port to new connections, then wait up to `timeout` s for the requests in
        flight to be answered; False if some were not."""
        from waitress import wasyncore

        closed = threading.Event()

        def close_port() -> None:  # on the server's own thread; open connections carry on
            wasyncore.dispatcher.close(self._server)
            closed.set()

        deadline = time.monotonic() + timeout
        try:
            self._server.trigger.pull_trigger(close_port)
            closed.wait(timeout)
        except OSError:  # the trigger is closed: the loop has ended and takes nothing more
            pass
        with self._idle:
            return self._idle.wait_for(
                lambda: self._in_flight == 0, max(0.0, deadline - time.monotonic())
            )
