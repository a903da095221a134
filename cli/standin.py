"""A local stand-in for Slack's Web API: records every call, answers in Slack's wire format.

`flare demo` shows agents' cards through it when no workspace is connected, and the tests use it
as their fake Slack. It can be scripted to fail a method (e.g. 429 with Retry-After), and it can
limit posts per channel as Slack does (`rate_limit`: 429 with Retry-After above that rate).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from cli import local_http

UPLOAD_PATH = "/upload/"  # where files.getUploadURLExternal sends a file's bytes

# Block Kit's limits, as Slack enforces them (docs.slack.dev/reference/block-kit): a message
# or view that breaks one is refused whole (invalid_blocks for messages, invalid_arguments for
# views).
TEXT_LIMITS = {"section": 3000, "header": 150, "context": 3000}
MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100


def block_kit_problems(blocks: list[Any], *, view: dict[str, Any] | None = None) -> list[str]:
    """What Slack would refuse in these blocks (and the view around them); [] if nothing."""
    problems: list[str] = []
    limit = VIEW_BLOCKS if view is not None else MESSAGE_BLOCKS
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks (at most {limit})")
    if view is not None:
        for name in ("title", "submit", "close"):
            text = (view.get(name) or {}).get("text", "")
            if len(text) > 24:
                problems.append(f"view {name} is {len(text)} characters (at most 24)")
    for i, block in enumerate(blocks):
        problems += [f"block {i}: {p}" for p in _block_problems(block)]
    return problems


def _text_problem(text: Any, most: int, what: str) -> list[str]:
    value = (text or {}).get("text", "") if isinstance(text, dict) else str(text or "")
    if not value:
        return [f"{what} is empty"]
    if len(value) > most:
        return [f"{what} is {len(value)} characters (at most {most})"]
    return []


def _block_problems(block: dict[str, Any]) -> list[str]:
    kind = block.get("type", "")
    found: list[str] = []
    if len(str(block.get("block_id", ""))) > 255:
        found.append("block_id over 255 characters")
    if kind in ("section", "header") and "text" in block:
        found += _text_problem(block["text"], TEXT_LIMITS[kind], f"{kind} text")
    for field_ in block.get("fields", []):
        found += _text_problem(field_, 2000, "section field")
    if kind == "context":
        elements = block.get("elements", [])
        if len(elements) > 10:
            found.append(f"context has {len(elements)} elements (at most 10)")
        for element in elements:
            found += _text_problem(element, 3000, "context element")
    if kind == "actions":
        elements = block.get("elements", [])
        if len(elements) > 25:
            found.append(f"actions has {len(elements)} elements (at most 25)")
        for element in elements:
            found += _text_problem(element.get("text"), 75, "button text")
            if len(str(element.get("value", ""))) > 2000:
                found.append("button value over 2000 characters")
    if kind == "input":
        found += _text_problem(block.get("label"), 2000, "input label")
        element = block.get("element", {})
        if element.get("type") == "plain_text_input":
            most = element.get("max_length", 3000)
            if not 1 <= most <= 3000:
                found.append(f"plain_text_input max_length {most} (1 to 3000)")
            if len(element.get("initial_value", "")) > most:
                found.append("plain_text_input initial_value longer than its max_length")
        for option in [*element.get("options", []), element.get("initial_option") or {}]:
            if option:
                found += _text_problem(option.get("text"), 75, "option text")
                if len(str(option.get("value", ""))) > 150:
                    found.append("option value over 150 characters")
    return found


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.time)  # when it arrived (epoch seconds)
    status: int = 200  # the HTTP status answered: 429 when rate limited


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
    opened_by: dict[str, str] = field(default_factory=dict)  # trigger id of each modal, by view id
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)  # App Home views by user
    names: dict[str, str] = field(default_factory=dict)  # users.info real names by user id
    uploads: dict[str, bytes] = field(default_factory=dict)  # file bytes by file id
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # shared files by id
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    """conversations.info and .list: the channels there are, by id (see `add_channel`)."""
    on_call: Callable[[Call], None] | None = None
    rate_limit: float | None = None
    """chat.postMessage calls per second per channel before a 429 with Retry-After (Slack's
    limit is about 1); None (the default) answers every call."""
    rate_burst: float = 2.0
    """Posts a quiet channel takes at once before `rate_limit` applies (Slack allows short
    bursts): a token bucket of this size, refilled at `rate_limit`."""
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # channel: tokens, at
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
                sent = self.rfile.read(length)
                if self.path.startswith(UPLOAD_PATH):  # a file's bytes, to the URL Slack gave
                    said = standin.take_upload(self.path.removeprefix(UPLOAD_PATH), sent)
                    self.send_response(200 if said.startswith("OK") else 404)
                    self.send_header("Content-Length", str(len(said)))
                    self.end_headers()
                    self.wfile.write(said.encode())
                    return
                raw = sent.decode()
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
                try:
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller gave up waiting (or died): Slack would not care either

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = local_http.serve(Handler, self.host, self.port)
        return self

    def stop(self) -> None:
        local_http.close(self._server)

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

    def _over_rate(self, channel: str, now: float) -> Failure | None:
        """A 429 if this post breaks the channel's rate limit, else None (takes the lock held)."""
        if self.rate_limit is None or not channel:
            return None
        tokens, then = self._buckets.get(channel, (self.rate_burst, now))
        tokens = min(self.rate_burst, tokens + (now - then) * self.rate_limit)
        if tokens >= 1.0:
            self._buckets[channel] = (tokens - 1.0, now)
            return None
        self._buckets[channel] = (tokens, now)
        wait = math.ceil((1.0 - tokens) / self.rate_limit)  # Slack says whole seconds
        return Failure(429, "ratelimited", max(1, wait))

    def take_upload(self, file_id: str, data: bytes) -> str:
        """The bytes of a file whose upload URL was given out; Slack answers "OK - <size>"."""
        with self._lock:
            if file_id not in self.uploads:
                return "not found"
            self.uploads[file_id] = data
        return f"OK - {len(data)}"

    def _files(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """files.getUploadURLExternal gives a URL here for the bytes; files.completeUploadExternal
        shares the uploaded files in a channel (by id) as one message."""
        if method == "files.getUploadURLExternal":
            if not args.get("filename") or not str(args.get("length", "")).isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{self._next_ts().rsplit('.', 1)[1]}"
            with self._lock:
                self.uploads[file_id] = b""
            url = self.base_url.removesuffix("/api/") + UPLOAD_PATH + file_id
            return {"ok": True, "upload_url": url, "file_id": file_id}
        listed = json.loads(args.get("files") or "[]")
        if not listed or any(not self.uploads.get(f.get("id", "")) for f in listed):
            return {"ok": False, "error": "file_not_found"}
        channel = str(args.get("channel_id") or "")
        shared = []
        for f in listed:
            data = self.uploads[f["id"]]
            shared.append({"id": f["id"], "title": f.get("title", ""), "size": len(data)})
            self.files[f["id"]] = {**shared[-1], "channel": channel, "data": data}
        if channel:
            ts = self._next_ts()
            message: dict[str, Any] = {"ts": ts, "text": args.get("initial_comment", "")}
            message["files"] = shared
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            self.messages[(channel, ts)] = message
        return {"ok": True, "files": shared}

    def add_channel(
        self, channel_id: str, name: str, member: bool = True, private: bool = False
    ) -> None:
        """A channel the workspace has, with the app in it or not (`flare doctor` looks)."""
        self.channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "is_member": member,
            "is_private": private,
        }

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
            if failure is None and method == "chat.postMessage":
                failure = self._over_rate(str(args.get("channel", "")), call.at)
            if failure:
                call.status = failure.status
        if failure:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return failure.status, headers, {"ok": False, "error": failure.error}
        if not token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        body = self._answer(method, args)
        if self.on_call:
            self.on_call(call)
        return 200, {}, body

    def _refuse_blocks(self, method: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """Slack's answer to blocks or a view it would not show; None if all is well."""
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            problems = block_kit_problems(args.get("blocks") or [])
            if len(str(args.get("text", ""))) > 40_000:
                problems.append("text over 40,000 characters")
            if problems:
                return {"ok": False, "error": "invalid_blocks", "errors": problems}
        if method in ("views.open", "views.update", "views.publish"):
            view = args.get("view") or {}
            problems = block_kit_problems(view.get("blocks") or [], view=view)
            if problems:
                return {
                    "ok": False,
                    "error": "invalid_arguments",
                    "response_metadata": {"messages": problems},
                }
        return None

    def _next_ts(self) -> str:
        with self._lock:
            self._seq += 1  # epoch seconds, as Slack's are, and unique by the sequence
            return f"{int(time.time())}.{self._seq:06d}"

    def _history(self, channel: str, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.history (the channel's top-level messages) or conversations.replies
        (a thread's, with `ts`), newest first, from `oldest` on; message metadata only when
        `include_all_metadata` is set, as Slack does."""
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(args.get("oldest") or 0)
        limit = int(args.get("limit") or 100)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        thread = str(args.get("ts") or "")  # conversations.replies: that thread
        found = []
        for (where, ts), message in sorted(self.messages.items(), key=lambda kv: -float(kv[0][1])):
            in_thread = message.get("thread_ts") == thread or (thread and ts == thread)
            if where != channel or float(ts) < oldest:
                continue
            if (thread and not in_thread) or (not thread and message.get("thread_ts")):
                continue
            shown = {k: v for k, v in message.items() if k != "metadata" or with_metadata}
            found.append(shown)
            if len(found) >= limit:
                break
        return {"ok": True, "messages": found, "has_more": False}

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
        refused = self._refuse_blocks(method, args)
        if refused:
            return refused
        if method == "chat.postMessage":
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            ts = self._next_ts()
            message = {"ts": ts, "text": args.get("text", ""), "blocks": args.get("blocks", [])}
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            if isinstance(args.get("metadata"), dict):
                message["metadata"] = args["metadata"]
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
            self.opened_by[view_id] = str(args["trigger_id"])
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
        if method in ("files.getUploadURLExternal", "files.completeUploadExternal"):
            return self._files(method, args)
        if method in ("conversations.history", "conversations.replies"):
            return self._history(channel, args)
        if method == "conversations.open":
            users = str(args.get("users", ""))
            if not users or "," in users:
                return {"ok": False, "error": "user_not_found" if not users else "not_supported"}
            return {"ok": True, "channel": {"id": "D" + users.lstrip("UW")}}
        if method == "conversations.info":
            if channel not in self.channels:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": self.channels[channel]}
        if method == "conversations.list":
            return {"ok": True, "channels": list(self.channels.values())}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://{self.host}/link/?ticket=stand-in"}
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
