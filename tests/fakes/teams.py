"""A fake Bot Connector on 127.0.0.1: Entra's token endpoint, the OpenID metadata and signing
keys inbound tokens are checked against, and a serviceUrl that keeps every message Flare posts
or updates. It also signs activities as the Bot Connector does, with a key of its own, so a
test posts to /api/messages exactly what Teams would.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from pydantic import SecretStr

from flare.settings import TeamsSettings

APP_ID = "00000000-0000-4000-8000-00000000f1a2"
APP_SECRET = "teams-test-secret"
TENANT = "11111111-1111-4111-8111-111111111111"
CHANNEL = "19:social-care@thread.tacv2"
PR_CHANNEL = "19:pr-escalations@thread.tacv2"
ISSUER = "https://api.botframework.com"
KID = "fake-connector-key-1"


@dataclass
class Message:
    """A message as the fake holds it now: what Flare posted, then updated."""

    conversation: str
    id: str
    activity: dict[str, Any]
    versions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def card(self) -> dict[str, Any]:
        attachments = self.activity.get("attachments") or [{}]
        return dict(attachments[0].get("content") or {})

    @property
    def text(self) -> str:
        return str(self.activity.get("text", ""))


@dataclass
class FakeConnector:
    """Start with `start()`; `settings()` are the TeamsSettings that reach it."""

    messages: dict[tuple[str, str], Message] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path), in order
    chats: dict[str, str] = field(default_factory=dict)  # personal chat id → the user in it
    tokens_issued: int = 0
    throttled: int = 0  # calls answered with a scripted failure
    failed: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of those
    _failures: list[tuple[int, float | None]] = field(default_factory=list)
    _key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _issued: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def service_url(self) -> str:
        return f"{self.base_url}/teams/"

    def settings(self, **extra: Any) -> TeamsSettings:
        return TeamsSettings(
            app_id=APP_ID,
            app_secret=SecretStr(APP_SECRET),
            tenant_id=TENANT,
            channel=CHANNEL,
            service_url=self.service_url,
            login_url=self.base_url,
            openid_metadata_url=f"{self.base_url}/v1/.well-known/openidconfiguration",
            **extra,
        )

    # what Teams would send ----------------------------------------------------------------
    def sign(self, service_url: str | None = None, **claims: Any) -> str:
        """A token as the Bot Connector signs it for this bot; `claims` override any part (None
        leaves it out)."""
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": APP_ID,
            "serviceurl": service_url or self.service_url,
            "nbf": now - 5,
            "iat": now - 5,
            "exp": now + 3600,
            **claims,
        }
        given = {name: value for name, value in body.items() if value is not None}
        return jwt.encode(given, self._key, algorithm="RS256", headers={"kid": KID})

    def fail_next(self, status: int, retry_after: float | None = None) -> None:
        """The next call to the serviceUrl answers `status` (with Retry-After if given)."""
        self._failures.append((status, retry_after))

    def in_conversation(self, conversation: str) -> list[Message]:
        return [m for (c, _), m in self.messages.items() if c == conversation]

    def updates(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p in self.calls if m == "PUT"]

    # the server ---------------------------------------------------------------------------
    def start(self) -> FakeConnector:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._send(*fake._get(self.path))

            def do_POST(self) -> None:
                self._send(*fake._write("POST", self.path, self._body(), self._auth()))

            def do_PUT(self) -> None:
                self._send(*fake._write("PUT", self.path, self._body(), self._auth()))

            def _auth(self) -> str:
                return str(self.headers.get("Authorization") or "")

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _get(self, path: str) -> tuple[int, Any]:
        if path == "/v1/.well-known/openidconfiguration":
            return 200, {
                "issuer": ISSUER,
                "jwks_uri": f"{self.base_url}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        if path == "/v1/.well-known/keys":
            public = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
            key = {**public, "kid": KID, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]}
            return 200, {"keys": [key]}
        return 404, {"error": {"code": "NotFound", "message": path}}

    def _write(
        self, method: str, path: str, raw: bytes, auth: str
    ) -> tuple[int, Any] | tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.calls.append((method, path))
            if path == f"/{TENANT}/oauth2/v2.0/token":
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                if form.get("client_id") != APP_ID or form.get("client_secret") != APP_SECRET:
                    return 401, {"error": "invalid_client"}
                token = f"bot-token-{uuid.uuid4().hex}"
                self._issued.add(token)
                self.tokens_issued += 1
                return 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token}
            # any serviceUrl under /teams/ (Teams names one per region), e.g. /teams/emea/
            if not path.startswith("/teams/") or "/v3/conversations" not in path:
                return 404, {"error": {"code": "NotFound", "message": path}}
            if auth.removeprefix("Bearer ") not in self._issued:
                return 401, {"error": {"code": "Unauthorized", "message": "bad bot token"}}
            if self._failures:
                status, retry_after = self._failures.pop(0)
                self.throttled += 1
                self.failed.append((method, path))
                headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                return status, {"error": {"code": "Throttled", "message": "try later"}}, headers
            body = json.loads(raw or b"{}")
            rest = path.split("/v3/conversations", 1)[1]
            parts = [unquote(p) for p in rest.split("/")]
            if method == "POST" and parts == [""]:  # open a personal chat
                user = body["members"][0]["id"]
                chat = f"a:personal-{user}"
                self.chats[chat] = user
                return 201, {"id": chat}
            if method == "POST" and len(parts) == 3 and parts[2] == "activities":
                activity_id = f"1{next(self._ids):012d}"
                conversation = parts[1]
                self.messages[(conversation, activity_id)] = Message(
                    conversation, activity_id, body
                )
                return 201, {"id": activity_id}
            if method == "PUT" and len(parts) == 4 and parts[2] == "activities":
                conversation, activity_id = parts[1], parts[3]
                message = self.messages.get((conversation, activity_id))
                if message is None:
                    return 404, {"error": {"code": "ActivityNotFound", "message": activity_id}}
                message.versions.append(message.activity)
                message.activity = body
                return 200, {"id": activity_id}
            return 400, {"error": {"code": "BadArgument", "message": path}}


def card_press(
    verb: str,
    data: dict[str, Any],
    *,
    user: str,
    aad: str,
    name: str,
    conversation: str = CHANNEL,
    reply_to: str = "",
    service_url: str,
    trigger: str = "manual",
) -> dict[str, Any]:
    """An `adaptiveCard/action` invoke as Teams sends it for an Action.Execute (inputs merged
    into the data)."""
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": f"f:{uuid.uuid4().hex}",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": user, "name": name, "aadObjectId": aad},
        "conversation": {"id": conversation, "tenantId": TENANT},
        "recipient": {"id": f"28:{APP_ID}", "name": "Flare"},
        "replyToId": reply_to,
        "channelData": {"tenant": {"id": TENANT}},
        "value": {
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": trigger,
        },
    }


def post_activity(url: str, activity: dict[str, Any], token: str | None) -> requests.Response:
    """POST an activity to Flare's /api/messages the way the Bot Connector does."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.post(f"{url}/api/messages", json=activity, headers=headers, timeout=30)


@pytest.fixture
def fake_teams() -> Iterator[FakeConnector]:
    connector = FakeConnector().start()
    yield connector
    connector.stop()
