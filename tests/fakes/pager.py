"""A fake PagerDuty Events API v2 on 127.0.0.1: records each event, keeps each alert's state.

It answers as the real endpoint does: 202 `{"status": "success", "message": "Event processed",
"dedup_key": …}` for an event it takes; 400 `{"status": "invalid event", …, "errors": […]}` for
an event missing what the API requires. Any answer can be scripted (`fail`), e.g. 429 or 500.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr

from cli import local_http
from flare.settings import PagerSettings

ROUTING_KEY = "R0UT1NGKEY0F32CHARACTERSFORTESTS"
ENQUEUE = "/v2/enqueue"
_ACTIONS = ("trigger", "acknowledge", "resolve")
_SEVERITIES = ("critical", "error", "warning", "info")


@dataclass
class FakePager:
    """Start with `start()`; `settings()` are the PagerSettings that reach it."""

    routing_key: str = ROUTING_KEY
    events: list[dict[str, Any]] = field(default_factory=list)
    """Every event it accepted, as sent, in order."""
    alerts: dict[str, str] = field(default_factory=dict)
    """dedup key → "triggered", "acknowledged" or "resolved"."""
    _failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def events_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}{ENQUEUE}"

    def settings(self) -> PagerSettings:
        return PagerSettings(events_url=self.events_url, routing_key=SecretStr(self.routing_key))

    def start(self) -> FakePager:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status, body = fake._answer(self.path, self.rfile.read(length))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = local_http.serve(Handler)
        return self

    def stop(self) -> None:
        local_http.close(self._server)

    def fail(self, status: int, *, times: int = 1, message: str = "Scripted failure") -> None:
        """Answer the next `times` events with `status` (and take none of them)."""
        body = {"status": "error", "message": message}
        with self._lock:
            self._failures.extend([(status, body)] * times)

    def events_for(self, dedup_key: str) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self.events if e.get("dedup_key") == dedup_key]

    def _answer(self, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if path != ENQUEUE:
                return 404, {"status": "error", "message": "Not found"}
            if self._failures:
                return self._failures.pop(0)
            try:
                event = json.loads(raw)
            except ValueError:
                return _invalid(["Event object is not valid JSON"])
            if not isinstance(event, dict):
                return _invalid(["Event object must be a JSON object"])
            problems = self._problems(event)
            if problems:
                return _invalid(problems)
            key = event.get("dedup_key") or uuid.uuid4().hex
            action = event["event_action"]
            state = self.alerts.get(key)
            if action == "trigger" and state in (None, "resolved"):
                self.alerts[key] = "triggered"
            elif action != "trigger" and state not in (None, "resolved"):
                self.alerts[key] = "acknowledged" if action == "acknowledge" else "resolved"
            self.events.append(event)
            return 202, {"status": "success", "message": "Event processed", "dedup_key": key}

    def _problems(self, event: dict[str, Any]) -> list[str]:
        problems = []
        if event.get("routing_key") != self.routing_key:
            problems.append("Invalid routing key")
        action = event.get("event_action")
        if action not in _ACTIONS:
            problems.append("'event_action' is invalid (must be trigger, acknowledge or resolve)")
        key = event.get("dedup_key")
        if key is not None and not (isinstance(key, str) and 0 < len(key) <= 255):
            problems.append("'dedup_key' must be a string of at most 255 characters")
        if action in ("acknowledge", "resolve") and not key:
            problems.append("'dedup_key' is required for acknowledge and resolve")
        if action == "trigger":
            payload = event.get("payload")
            if not isinstance(payload, dict):
                return [*problems, "'payload' is missing or not an object"]
            summary = payload.get("summary")
            if not isinstance(summary, str) or not 0 < len(summary) <= 1024:
                problems.append("'payload.summary' must be 1 to 1024 characters")
            if not payload.get("source"):
                problems.append("'payload.source' is missing")
            if payload.get("severity") not in _SEVERITIES:
                problems.append("'payload.severity' is invalid")
        return problems


def _invalid(errors: list[str]) -> tuple[int, dict[str, Any]]:
    return 400, {"status": "invalid event", "message": "Event object is invalid", "errors": errors}


@pytest.fixture
def fake_pager() -> Iterator[FakePager]:
    """A running fake PagerDuty; `fake_pager.settings()` reach it."""
    fake = FakePager().start()
    yield fake
    fake.stop()
