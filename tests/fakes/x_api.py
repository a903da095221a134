"""A fake X API v2 on 127.0.0.1: mentions, search, posts, DMs, stream rules and the stream itself.

It speaks the wire formats of the real API (see ../shared/data/x-api-samples): `data`, `includes`,
`meta` with `newest_id`/`next_token`, `x-rate-limit-*` headers, 201 on create, a chunked stream of
JSON lines with "\\r\\n" keep-alives. Every request is recorded; any endpoint can be scripted to
answer an error, and the stream can be dropped mid-flow or refused.
"""

from __future__ import annotations

import itertools
import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cli import local_http
from cli.x_standin import local_x_settings
from flare.settings import XSettings

BRAND_ID = "9001"
BRAND_USERNAME = "acme"
RATE_LIMIT = 450

_DROP = object()  # close the stream connection abruptly (mid-flow)
_END = object()  # end the stream cleanly
_STALL = object()  # go silent (no posts, no keep-alives) with the connection left open


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def route(self) -> str:
        return f"{self.method} {_route(self.path)}"

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str | None]


def _route(path: str) -> str:
    """The endpoint of a path, ids replaced: /2/users/42/mentions → /2/users/:id/mentions."""
    empty, version, *rest = path.split("/") if path.count("/") > 1 else ("", path, "")
    return "/".join([empty, version, *(":id" if p.isdigit() else p for p in rest)])


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class FakeX:
    """Start with `start()`; `base_url` is what FLARE_X__API_URL should be."""

    brand_id: str = BRAND_ID
    brand_username: str = BRAND_USERNAME
    keepalive: float = 0.1
    """Seconds between keep-alive lines on an idle stream (X: 20)."""
    access_level: str = "read-write-directmessages"
    """What the user-context tokens may do, sent as X does in x-access-level: read, read-write
    or read-write-directmessages."""
    requests: list[Recorded] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: dict[str, dict[str, str]] = field(default_factory=dict)
    dms: list[dict[str, Any]] = field(default_factory=list)
    stream_connects: int = 0
    stream_refusals: int = 0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1_900_000_000_000_000_001))
    _failures: dict[str, list[Scripted | None]] = field(default_factory=dict)
    _refuse_streams: int | None = None
    _streams: list[queue.Queue[Any]] = field(default_factory=list)
    _remaining: dict[str, int] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _server: ThreadingHTTPServer | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.user(self.brand_id, self.brand_username, name="Acme", followers=52_000, verified=True)

    # running ------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def settings(self) -> XSettings:
        """X settings as an operator sets them, pointed at this fake: app and user context."""
        return local_x_settings(self.base_url, self.brand_id)

    def start(self) -> FakeX:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = local_http.serve(Handler)
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.drop_streams()
        local_http.close(self._server)

    # the world ----------------------------------------------------------
    def next_id(self) -> str:
        with self._lock:
            return str(next(self._ids))

    def user(
        self,
        id: str,
        username: str,
        *,
        name: str = "",
        followers: int = 10,
        verified: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        user = {
            "id": id,
            "username": username,
            "name": name or username.title(),
            "verified": verified,
            "public_metrics": {
                "followers_count": followers,
                "following_count": 5,
                "tweet_count": 100,
                "listed_count": 0,
            },
            "created_at": "2015-03-01T10:00:00.000Z",
            **extra,
        }
        self.users[id] = user
        return user

    def publish(
        self,
        text: str,
        *,
        author: str = "777",
        created_at: datetime | None = None,
        mention: bool = True,
        edit_of: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A new post: kept for the mentions timeline and search, sent to every live stream."""
        if author not in self.users:
            self.user(author, f"user{author}", followers=int(author) % 5000)
        post_id = self.next_id()
        history = [post_id]
        if edit_of is not None:
            original = next(p for p in self.posts if p["id"] == edit_of)
            history = [*original["edit_history_tweet_ids"], post_id]
        post: dict[str, Any] = {
            "id": post_id,
            "text": text,
            "edit_history_tweet_ids": history,
            "author_id": author,
            "created_at": _stamp(created_at or datetime.now(UTC)),
            "conversation_id": fields.pop("conversation_id", history[0]),
            "lang": "en",
            "public_metrics": {
                "retweet_count": 0,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 3,
            },
            **fields,
        }
        if mention:
            start = text.find("@" + self.brand_username)
            post["entities"] = {
                "mentions": [
                    {
                        "start": max(start, 0),
                        "end": max(start, 0) + len(self.brand_username) + 1,
                        "username": self.brand_username,
                        "id": self.brand_id,
                    }
                ]
            }
        with self._lock:
            self.posts.append(post)
            streams = list(self._streams) if self.rules else []
        if streams:
            line = self.stream_line(post)
            for stream in streams:
                stream.put(line)
        return post

    def stream_line(self, post: dict[str, Any]) -> bytes:
        rule = next(iter(self.rules.values()))
        message = {
            "data": post,
            "includes": {"users": [self.users[post["author_id"]]]},
            "matching_rules": [{"id": rule["id"], "tag": rule.get("tag", "")}],
        }
        return json.dumps(message).encode()

    def _mentions_brand(self, post: dict[str, Any]) -> bool:
        mentions = (post.get("entities") or {}).get("mentions") or ()
        return any(m.get("id") == self.brand_id for m in mentions)

    # scripting ----------------------------------------------------------
    def fail(
        self,
        route: str,
        status: int,
        *,
        times: int = 1,
        after: int = 0,
        body: dict[str, Any] | None = None,
        headers: dict[str, str | None] | None = None,
    ) -> None:
        """Answer `times` requests of `route` (e.g. "GET /2/users/:id/mentions") with `status`,
        once `after` more have been answered normally; a header set to None is left out."""
        answer = Scripted(
            status, body or {"title": "Scripted failure", "status": status}, headers or {}
        )
        with self._lock:
            self._failures.setdefault(route, []).extend([None] * after + [answer] * times)

    def rate_limit(self, route: str, remaining: int) -> None:
        with self._lock:
            self._remaining[route] = remaining

    def drop_streams(self) -> None:
        """Cut every live stream connection mid-flow (no final chunk)."""
        with self._lock:
            streams, self._streams = list(self._streams), []
        for stream in streams:
            stream.put(_DROP)

    def end_streams(self) -> None:
        """Close every live stream connection cleanly, as X does at times."""
        with self._lock:
            streams, self._streams = list(self._streams), []
        for stream in streams:
            stream.put(_END)

    def stall_streams(self) -> None:
        """Make every live stream go silent, keep-alives too, without closing it."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.put(_STALL)

    def refuse_streams(self, status: int = 503) -> None:
        """Answer every stream connection with `status` until `allow_streams()`."""
        with self._lock:
            self._refuse_streams = status

    def allow_streams(self) -> None:
        with self._lock:
            self._refuse_streams = None

    @property
    def live_streams(self) -> int:
        with self._lock:
            return len(self._streams)

    def requests_to(self, route: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.route == route]

    # the HTTP side ------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        request = Recorded(method, url.path, query, dict(handler.headers.items()), body)
        with self._lock:
            self.requests.append(request)
            failures = self._failures.get(request.route)
            scripted = failures.pop(0) if failures else None
        if scripted:
            self._send(handler, scripted.status, scripted.body, scripted.headers, request.route)
            return
        if not handler.headers.get("Authorization"):
            self._send(handler, 401, {"title": "Unauthorized", "status": 401}, {}, request.route)
            return
        if request.route == "GET /2/tweets/search/stream":
            self._stream(handler, request)
            return
        status, answer = self._answer(request)
        user_context = handler.headers.get("Authorization", "").startswith("OAuth ")
        level = {"x-access-level": self.access_level} if user_context else {}
        self._send(handler, status, answer, dict(level), request.route)

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str | None],
        route: str,
    ) -> None:
        data = json.dumps(body).encode()
        with self._lock:
            remaining = self._remaining.get(route, RATE_LIMIT)
            self._remaining[route] = max(0, remaining - 1)
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        rate = {
            "x-rate-limit-limit": str(RATE_LIMIT),
            "x-rate-limit-remaining": str(max(0, remaining - 1)),
            "x-rate-limit-reset": str(int(time.time()) + 900),
            **headers,
        }
        for name, value in rate.items():
            if value is not None:
                handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, r: Recorded) -> tuple[int, dict[str, Any]]:
        route = r.route
        if route == "GET /2/users/:id/mentions":
            return self._mentions(r)
        if route == "GET /2/tweets/search/recent":
            return self._search(r)
        if route == "GET /2/users/me":
            return 200, {"data": self._user_data(self.brand_id)}
        if route == "GET /2/users/:id":
            user_id = r.path.rsplit("/", 1)[-1]
            if user_id not in self.users:
                return 200, {"errors": [{"title": "Not Found Error", "value": user_id}]}
            return 200, {"data": self._user_data(user_id)}
        if route == "POST /2/tweets":
            return self._create_post(r)
        if route == "POST /2/dm_conversations/with/:id/messages":
            participant = r.path.split("/")[4]
            pair = sorted([self.brand_id, participant], key=int)
            event = {"dm_conversation_id": "-".join(pair), "dm_event_id": self.next_id()}
            self.dms.append({**event, "participant_id": participant, "text": r.json()["text"]})
            return 201, {"data": event}
        if route == "GET /2/tweets/search/stream/rules":
            rules = list(self.rules.values())
            meta = {"sent": _stamp(datetime.now(UTC)), "result_count": len(rules)}
            return 200, ({"data": rules, "meta": meta} if rules else {"meta": meta})
        if route == "POST /2/tweets/search/stream/rules":
            return self._change_rules(r.json())
        return 404, {"title": "Not Found Error", "detail": f"no route {route}", "status": 404}

    def _user_data(self, user_id: str) -> dict[str, Any]:
        user = self.users[user_id]
        return {k: v for k, v in user.items() if k in ("id", "username", "name")}

    def _shape(self, posts: list[dict[str, Any]], r: Recorded) -> dict[str, Any]:
        """Posts as X returns them: only the fields asked for, authors in includes.users."""
        wanted = set((r.query.get("tweet.fields") or "").split(",")) | {
            "id",
            "text",
            "edit_history_tweet_ids",
        }
        data = [{k: v for k, v in p.items() if k in wanted} for p in posts]
        out: dict[str, Any] = {"data": data}
        if "author_id" in (r.query.get("expansions") or ""):
            user_fields = set((r.query.get("user.fields") or "").split(",")) | {
                "id",
                "name",
                "username",
            }
            authors = dict.fromkeys(p["author_id"] for p in posts)
            out["includes"] = {
                "users": [
                    {k: v for k, v in self.users[a].items() if k in user_fields} for a in authors
                ]
            }
        return out

    def _page(
        self, found: list[dict[str, Any]], r: Recorded, default: int
    ) -> tuple[int, dict[str, Any]]:
        found = sorted(found, key=lambda p: int(p["id"]), reverse=True)
        size = int(r.query.get("max_results") or default)
        token = r.query.get("pagination_token") or r.query.get("next_token")
        start = int(token.removeprefix("page-")) if token else 0
        page = found[start : start + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if not page:
            return 200, {"meta": meta}
        meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if start + size < len(found):
            meta["next_token"] = f"page-{start + size}"
        return 200, {**self._shape(page, r), "meta": meta}

    def _mentions(self, r: Recorded) -> tuple[int, dict[str, Any]]:
        user_id = r.path.split("/")[3]
        since = int(r.query.get("since_id") or 0)
        with self._lock:
            found = [
                p
                for p in self.posts
                if int(p["id"]) > since
                and self._mentions_brand(p)
                and user_id == self.brand_id
                and p["author_id"] != self.brand_id
            ]
        return self._page(found, r, default=10)

    def _search(self, r: Recorded) -> tuple[int, dict[str, Any]]:
        terms = dict(t.split(":", 1) for t in (r.query.get("query") or "").split() if ":" in t)
        with self._lock:
            found = [
                p
                for p in self.posts
                if (
                    "conversation_id" not in terms
                    or p["conversation_id"] == terms["conversation_id"]
                )
                and ("from" not in terms or terms["from"] in (p["author_id"], self._handle_of(p)))
            ]
        return self._page(found, r, default=10)

    def _handle_of(self, post: dict[str, Any]) -> str:
        return str(self.users[post["author_id"]]["username"])

    def _create_post(self, r: Recorded) -> tuple[int, dict[str, Any]]:
        body = r.json()
        parent_id = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        conversation = None
        if parent_id:
            parent = next((p for p in self.posts if p["id"] == parent_id), None)
            if parent is None or not self._mentions_brand(parent):
                return 403, {
                    "detail": "Reply to this conversation is not allowed because you have not "
                    "been mentioned or otherwise engaged by the author of the post you are "
                    "replying to.",
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                }
            conversation = parent["conversation_id"]
        post = self.publish(
            body["text"],
            author=self.brand_id,
            mention=False,
            **({"conversation_id": conversation} if conversation else {}),
        )
        return 201, {
            "data": {
                "id": post["id"],
                "text": post["text"],
                "edit_history_tweet_ids": post["edit_history_tweet_ids"],
            }
        }

    def _change_rules(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        now = _stamp(datetime.now(UTC))
        if "delete" in body:
            ids = body["delete"].get("ids") or []
            deleted = [i for i in ids if self.rules.pop(i, None)]
            summary = {"deleted": len(deleted), "not_deleted": len(ids) - len(deleted)}
            return 200, {"meta": {"sent": now, "summary": summary}}
        created, errors = [], []
        for rule in body.get("add") or []:
            clash = next((r for r in self.rules.values() if r["value"] == rule["value"]), None)
            if clash:
                errors.append(
                    {
                        "value": rule["value"],
                        "id": clash["id"],
                        "title": "DuplicateRule",
                        "type": "https://api.twitter.com/2/problems/duplicate-rules",
                    }
                )
                continue
            new = {"id": self.next_id(), **rule}
            self.rules[new["id"]] = new
            created.append(new)
        summary = {
            "created": len(created),
            "not_created": len(errors),
            "valid": len(created),
            "invalid": len(errors),
        }
        out: dict[str, Any] = {"meta": {"sent": now, "summary": summary}}
        if created:
            out["data"] = created
        if errors:
            out["errors"] = errors
        return (201 if created else 200), out

    def _stream(self, handler: BaseHTTPRequestHandler, r: Recorded) -> None:
        with self._lock:
            refuse = self._refuse_streams
            if refuse is not None:
                self.stream_refusals += 1
        if refuse is not None:
            body = {"title": "Service Unavailable", "status": refuse}
            self._send(handler, refuse, body, {}, r.route)
            return
        mine: queue.Queue[Any] = queue.Queue()
        with self._lock:
            previous, self._streams = list(self._streams), [mine]  # one connection per app
            self.stream_connects += 1
        for stream in previous:
            stream.put(_DROP)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        silent = False
        try:
            while not self._stopping.is_set():
                try:
                    item = mine.get(timeout=self.keepalive)
                except queue.Empty:
                    item = b""
                if item is _STALL or (silent and item == b""):
                    silent = True
                    continue
                if item is _DROP:
                    handler.connection.shutdown(socket.SHUT_RDWR)
                    break
                if item is _END:
                    handler.wfile.write(b"0\r\n\r\n")
                    break
                chunk = item + b"\r\n"
                handler.wfile.write(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
        except OSError:
            pass
        finally:
            with self._lock:
                if mine in self._streams:
                    self._streams.remove(mine)
            handler.close_connection = True


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    """A running fake X API; `fake_x.base_url` goes in FLARE_X__API_URL."""
    fake = FakeX().start()
    yield fake
    fake.stop()


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def main() -> None:
    """Run the fake X alone, posting a mention every few seconds: `python -m tests.fakes.x_api`."""
    fake = FakeX(keepalive=20.0).start()
    print(f"fake X at {fake.base_url} (brand @{fake.brand_username}, id {fake.brand_id})")
    print(
        f"  FLARE_X__API_URL={fake.base_url} FLARE_X__BEARER_TOKEN=any "
        f"FLARE_X__USER_ID={fake.brand_id} FLARE_BRAND__HANDLES={fake.brand_username}"
    )
    try:
        for n in itertools.count(1):
            time.sleep(3)
            fake.publish(f"@{fake.brand_username} test mention {n} 📦", author=str(1000 + n % 7))
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
