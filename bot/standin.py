"""A local stand-in for Slack's Web API: records every call, answers in Slack's wire format.

`flare demo` shows agents' cards through it when no workspace is connected, and the tests use it
as their fake Slack. It can be scripted to fail a method (e.g. 429 with Retry-After).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class Failure:
    status: int
    error: str
    retry_after: int | None = None


@dataclass
class SlackStandIn:
    """Run with `start()`; `base_url` is what `FLARE_SLACK__API_URL` should be."""

    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # open modals by view id
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)  # App Home views by user
    names: dict[str, str] = field(default_factory=dict)  # users.info real names by user id
    on_call: Callable[[Call], None] | None = None
    _failures: dict[str, list[Failure]] = field(default_factory=dict)
    _seq: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        return f"http://{self.host}:{self._server.server_address[1]}/api/"

    def start(self) -> SlackStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = dict(parse_qsl(raw))
                    for key in ("blocks", "attachments", "view"):
                        if isinstance(args.get(key), str):
                            args[key] = json.loads(args[key])
                auth = self.headers.get("Authorization", "")
                token = auth.removeprefix("Bearer ") or args.get("token")
                method = self.path.rsplit("/", 1)[-1]
                status, headers, body = standin.handle(method, args, token)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # scripting -----------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int = 200,
        error: str = "internal_error",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with an error instead."""
        with self._lock:
            self._failures.setdefault(method, []).extend(
                [Failure(status, error, retry_after)] * times
            )

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # the API -------------------------------------------------------------
    def handle(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        call = Call(method, args, token)
        with self._lock:
            self.calls.append(call)
            failures = self._failures.get(method)
            failure = failures.pop(0) if failures else None
        if failure:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return failure.status, headers, {"ok": False, "error": failure.error}
        if not token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        body = self._answer(method, args)
        if self.on_call:
            self.on_call(call)
        return 200, {}, body

    def _next_ts(self) -> str:
        with self._lock:
            self._seq += 1
            return f"1700000000.{self._seq:06d}"

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": "T0FLARE",
                "user_id": "U0FLAREBOT",
                "bot_id": "B0FLARE",
                "team": "Flare demo",
                "user": "flare",
            }
        if method == "chat.postMessage":
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            ts = self._next_ts()
            message = {"ts": ts, "text": args.get("text", ""), "blocks": args.get("blocks", [])}
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            self.messages[(channel, ts)] = message
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            key = (channel, str(args.get("ts")))
            if key not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            self.messages[key].update(text=args.get("text", ""), blocks=args.get("blocks", []))
            return {"ok": True, "channel": channel, "ts": key[1]}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "views.open":
            if not args.get("trigger_id"):
                return {"ok": False, "error": "invalid_trigger_id"}
            view_id = f"V{self._next_ts().rsplit('.', 1)[1]}"
            self.views[view_id] = {"id": view_id, **(args.get("view") or {})}
            return {"ok": True, "view": self.views[view_id]}
        if method == "views.update":
            view_id = str(args.get("view_id", ""))
            if view_id not in self.views:
                return {"ok": False, "error": "not_found"}
            self.views[view_id] = {"id": view_id, **(args.get("view") or {})}
            return {"ok": True, "view": self.views[view_id]}
        if method == "views.publish":
            self.homes[str(args.get("user_id", ""))] = args.get("view") or {}
            return {"ok": True, "view": args.get("view") or {}}
        if method == "users.info":
            uid = str(args.get("user", ""))
            return {
                "ok": True,
                "user": {
                    "id": uid,
                    "name": uid.lower(),
                    "profile": {"display_name": uid, "real_name": self.names.get(uid, uid)},
                },
            }
        return {"ok": True}
