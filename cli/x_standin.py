"""A local stand-in for X's API v2 for `flare demo --web`: the posts Flare answers, what it sends.

It holds the demo's timeline (the customers' posts, put there as the story tells them) and takes
the brand's writes in X's wire format: `POST /2/tweets` (a reply or a statement, 201 with
`data.id`), `POST /2/dm_conversations/with/:id/messages` (201 with `data.dm_event_id`) and the
recent search Flare runs to see whether the brand already answered a conversation. Flare reaches
it through tweepy, as it reaches X. The tests' fake X (tests/fakes/x_api.py) does far more; this
one is only what the demo needs, so the demo ships without the tests.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import SecretStr

from cli import local_http
from flare.settings import XSettings
from rules.mention import Mention

BRAND_ID = "9001"  # the brand's care account, which Flare posts as
BRAND_USERNAME = "acmehelp"


def local_x_settings(base_url: str, user_id: str) -> XSettings:
    """X settings as an operator sets them, app and user context, for an X that serves on
    127.0.0.1 and takes any credentials: this stand-in, and the tests' fake."""
    secret = SecretStr("x-on-this-machine")
    return XSettings(
        api_url=base_url,
        bearer_token=secret,
        consumer_key=secret,
        consumer_secret=secret,
        access_token=secret,
        access_token_secret=secret,
        user_id=user_id,
    )


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class XStandIn:
    """Run with `start()`; `settings()` points Flare's X client at it."""

    posts: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    dms: list[dict[str, Any]] = field(default_factory=list)
    changes: int = 0  # bumped on every post or DM: the page redraws when it moves
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1_990_000_000_000_000_001))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def settings(self) -> XSettings:
        """X settings as an operator sets them (app and user context), pointed here."""
        return local_x_settings(self.base_url, BRAND_ID)

    def start(self) -> XStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(*standin.handle("GET", self.path, b""))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if not self.headers.get("Authorization"):
                    self._answer(401, {"title": "Unauthorized", "status": 401})
                    return
                self._answer(*standin.handle("POST", self.path, body))

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("x-rate-limit-limit", "300")
                self.send_header("x-rate-limit-remaining", "299")
                self.send_header("x-rate-limit-reset", str(int(time.time()) + 900))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = local_http.serve(Handler)
        return self

    def stop(self) -> None:
        local_http.close(self._server)

    # the world ----------------------------------------------------------
    def publish(self, mention: Mention) -> None:
        """A customer's post appears on the timeline (the story tells it)."""
        post = {
            "id": mention.id,
            "text": mention.text,
            "author_id": mention.author.id,
            "username": mention.author.username or mention.author.id,
            "name": mention.author.name or mention.author.username,
            "created_at": _stamp(mention.created_at),
            "conversation_id": mention.conversation_id or mention.id,
            "in_reply_to": None,
            "kind": "mention",
        }
        with self._lock:
            self.posts.append(post)
            self.changes += 1

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """X's answer to one request, as (status, JSON body)."""
        url = urlsplit(path)
        parts = url.path.strip("/").split("/")
        if method == "POST" and url.path == "/2/tweets":
            return self._create_post(json.loads(body or b"{}"))
        if method == "POST" and parts[:3] == ["2", "dm_conversations", "with"] and len(parts) == 5:
            return self._send_dm(parts[3], json.loads(body or b"{}"))
        if method == "GET" and url.path == "/2/tweets/search/recent":
            return self._search(parse_qs(url.query).get("query", [""])[0])
        detail = f"no route {method} {url.path}"
        return 404, {"title": "Not Found Error", "detail": detail, "status": 404}

    def _create_post(self, sent: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        text = str(sent.get("text") or "")
        if not text:
            return 400, {"title": "Invalid Request", "detail": "text is required", "status": 400}
        parent = str((sent.get("reply") or {}).get("in_reply_to_tweet_id") or "")
        with self._lock:
            post_id = str(next(self._ids))
            above = next((p for p in self.posts if p["id"] == parent), None)
            self.posts.append(
                {
                    "id": post_id,
                    "text": text,
                    "author_id": BRAND_ID,
                    "username": BRAND_USERNAME,
                    "name": "Acme Help",
                    "created_at": _stamp(datetime.now(UTC)),
                    "conversation_id": (above or {}).get("conversation_id", parent or post_id),
                    "in_reply_to": parent or None,
                    "kind": "reply" if parent else "statement",
                }
            )
            self.changes += 1
        return 201, {"data": {"id": post_id, "text": text, "edit_history_tweet_ids": [post_id]}}

    def _send_dm(self, participant: str, sent: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            event = {
                "dm_conversation_id": f"{BRAND_ID}-{participant}",
                "dm_event_id": str(next(self._ids)),
            }
            username = next(
                (p["username"] for p in self.posts if p["author_id"] == participant), participant
            )
            self.dms.append({**event, "to": username, "text": str(sent.get("text") or "")})
            self.changes += 1
        return 201, {"data": event}

    def _search(self, query: str) -> tuple[int, dict[str, Any]]:
        terms = dict(t.split(":", 1) for t in query.split() if ":" in t)
        with self._lock:
            found = [
                {"id": p["id"], "text": p["text"], "edit_history_tweet_ids": [p["id"]]}
                for p in reversed(self.posts)
                if (
                    "conversation_id" not in terms
                    or p["conversation_id"] == terms["conversation_id"]
                )
                and ("from" not in terms or p["author_id"] == terms["from"])
            ]
        meta: dict[str, Any] = {"result_count": len(found)}
        return 200, ({"data": found, "meta": meta} if found else {"meta": meta})

    def snapshot(self) -> dict[str, Any]:
        """What the X page shows: the timeline newest first, each reply under its post."""
        with self._lock:
            posts = [dict(p) for p in self.posts]
            dms = [dict(d) for d in self.dms]
        replies: dict[str, list[dict[str, Any]]] = {}
        for post in posts:
            if post["in_reply_to"]:
                replies.setdefault(post["in_reply_to"], []).append(post)
        shown = [{**p, "replies": replies.get(p["id"], [])} for p in posts if not p["in_reply_to"]]
        by_id = {p["id"]: p for p in posts}
        sent = [
            {**p, "answers": by_id.get(p["in_reply_to"] or "")}
            for p in posts
            if p["author_id"] == BRAND_ID
        ]
        return {"posts": shown[::-1], "sent": sent[::-1], "dms": dms[::-1], "brand": BRAND_USERNAME}
