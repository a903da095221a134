"""POST /intake: signed JSON mentions from any listening tool, taken in like X's own."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import redis

from flare import keys
from flare.dlq import DeadLetters
from flare.http import Wsgi
from rules.mention import Mention, Source
from rules.normalize import PayloadError, mentions_from

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Flare-Timestamp"
SIGNATURE_HEADER = "X-Flare-Signature"
VERSION = "v1"
MAX_AGE = 300  # seconds a signed request stays valid
TIMESTAMP_DIGITS = 12  # unix seconds until the year 33658; more would overflow a float
WHERE = "POST /intake"


class MentionSink(Protocol):
    """What the endpoint needs of intake (workers.intake.Intake fits)."""

    @property
    def redis(self) -> redis.Redis: ...

    @property
    def dead_letters(self) -> DeadLetters: ...

    def take(self, mentions: list[Mention]) -> object: ...


@dataclass(frozen=True)
class Refusal:
    status: str
    error: str
    field: str | None = None


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v1=` + hex HMAC-SHA256 of `v1:<timestamp>:<raw body>` keyed with the shared secret."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def check_signature(
    secret: str,
    timestamp: str | None,
    given: str | None,
    body: bytes,
    now: float,
    max_age: int = MAX_AGE,
) -> Refusal | None:
    """Why a request is not authentic, or None: a timestamp that is missing, not unix seconds
    (400), stale or in the future (replays), or a signature that does not match."""
    unauthorized = "401 Unauthorized"
    if not timestamp:
        return Refusal(unauthorized, "missing timestamp (unix seconds)", TIMESTAMP_HEADER)
    if not timestamp.isdigit() or len(timestamp) > TIMESTAMP_DIGITS:
        return Refusal("400 Bad Request", "timestamp must be unix seconds", TIMESTAMP_HEADER)
    age = now - int(timestamp)
    if age > max_age:
        return Refusal(
            unauthorized, f"stale: signed {int(age)} s ago (limit {max_age} s)", TIMESTAMP_HEADER
        )
    if age < -max_age:
        return Refusal(
            unauthorized, "timestamp is in the future; check the sender's clock", TIMESTAMP_HEADER
        )
    if not given:
        return Refusal(unauthorized, "missing signature", SIGNATURE_HEADER)
    if not hmac.compare_digest(given.strip(), signature(secret, timestamp, body)):
        return Refusal(unauthorized, "signature does not match the body", SIGNATURE_HEADER)
    return None


class Replays:
    """Signed requests already taken in, remembered for as long as their timestamp is valid."""

    def __init__(self, client: redis.Redis, max_age: int) -> None:
        self.redis = client
        self.ttl = 2 * max_age + 1  # a timestamp is valid from max_age back to max_age ahead

    def first(self, signed: str) -> bool:
        """True the first time this signature is seen, False for a replay."""
        return bool(self.redis.set(keys.webhook_request(signed), 1, nx=True, ex=self.ttl))

    def forget(self, signed: str) -> None:
        """Let the same request be sent again (it was not taken in after all)."""
        try:
            self.redis.delete(keys.webhook_request(signed))
        except redis.RedisError as exc:
            log.warning("/intake: could not forget a request that failed: %s", exc)


def _answer(start_response: Callable[..., Any], status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    if status.startswith("503"):
        headers.append(("Retry-After", "30"))
    if status.startswith("405"):
        headers.append(("Allow", "POST"))
    start_response(status, headers)
    return [data]


def _refuse(start_response: Callable[..., Any], refusal: Refusal) -> list[bytes]:
    return _answer(start_response, refusal.status, {"error": refusal.error, "field": refusal.field})


def build_intake_endpoint(
    intake: MentionSink,
    secret: str | None,
    max_bytes: int,
    clock: Callable[[], float],
    *,
    max_age: int = MAX_AGE,
    hand_on: Callable[[list[Mention]], bool] | None = None,
) -> Wsgi:
    """The WSGI app for POST /intake.

    JSON body: an X v2 message, a Flare mention, or a list of them; signed (see docs/intake.md).
    202 once the mentions are in Redis; 4xx naming the wrong field (409 for a replayed request);
    503 only for the server's own state: no secret set (unsigned requests are never taken) or
    Redis down. `hand_on`, when given, replaces `intake.take` (e.g. the listener's batcher)
    and answers whether the mentions got through.
    """
    replays = Replays(intake.redis, max_age)
    unavailable = Refusal("503 Service Unavailable", "storage unavailable; retry")

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        refusal, body = _read(environ)
        if refusal:
            return _refuse(start_response, refusal)
        signed = str(environ.get("HTTP_X_FLARE_SIGNATURE")).strip()
        try:
            if not replays.first(signed):
                return _refuse(
                    start_response,
                    Refusal(
                        "409 Conflict",
                        "already received: a replay of an earlier request (sign each new "
                        "send with a fresh timestamp)",
                        SIGNATURE_HEADER,
                    ),
                )
        except redis.RedisError as exc:
            log.warning("/intake: Redis unavailable: %s", exc)
            return _refuse(start_response, unavailable)
        mentions, refusal = _mentions(body)
        if refusal:
            _keep(body, refusal.error)
            return _refuse(start_response, refusal)
        try:
            if hand_on is not None:
                if not hand_on(mentions):
                    raise redis.ConnectionError("intake is not keeping up")
            else:
                intake.take(mentions)
        except redis.RedisError as exc:
            log.warning("/intake: could not take %d mentions in: %s", len(mentions), exc)
            replays.forget(signed)
            return _refuse(start_response, unavailable)
        return _answer(
            start_response,
            "202 Accepted",
            {"accepted": len(mentions), "ids": [m.id for m in mentions]},
        )

    def _keep(body: bytes, error: str) -> None:
        try:
            intake.dead_letters.push(body, Source.WEBHOOK.value, WHERE, error)
        except redis.RedisError as exc:  # the sender still learns what is wrong
            log.warning("/intake: could not keep a dead letter (%s): %s", error, exc)

    def _read(environ: dict[str, Any]) -> tuple[Refusal | None, bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return Refusal("405 Method Not Allowed", "use POST", "method"), b""
        if not secret:
            return Refusal(
                "503 Service Unavailable",
                "webhook intake is off: FLARE_INTAKE__WEBHOOK_SECRET is not set",
            ), b""
        declared = environ.get("CONTENT_LENGTH") or ""
        if declared and not declared.isdigit():
            return Refusal("400 Bad Request", "not a number", "Content-Length"), b""
        if declared and int(declared) > max_bytes:
            return Refusal(
                "413 Content Too Large", f"body over {max_bytes} bytes", "Content-Length"
            ), b""
        stream = environ["wsgi.input"]
        body = stream.read(int(declared)) if declared else stream.read(max_bytes + 1)
        if len(body) > max_bytes:
            return Refusal("413 Content Too Large", f"body over {max_bytes} bytes", "body"), b""
        refusal = check_signature(
            secret,
            environ.get("HTTP_X_FLARE_TIMESTAMP"),
            environ.get("HTTP_X_FLARE_SIGNATURE"),
            body,
            clock(),
            max_age,
        )
        if refusal:
            return refusal, b""
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return Refusal(
                "415 Unsupported Media Type", "send application/json", "Content-Type"
            ), b""
        return None, body

    return app


def _mentions(body: bytes) -> tuple[list[Mention], Refusal | None]:
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return [], Refusal("400 Bad Request", f"not UTF-8: {exc.reason}", "body")
    except json.JSONDecodeError as exc:
        return [], Refusal("400 Bad Request", f"not JSON: {exc.msg} at column {exc.colno}", "body")
    except RecursionError:
        return [], Refusal("400 Bad Request", "JSON nested too deeply", "body")
    except ValueError as exc:  # e.g. a number of more digits than Python converts
        return [], Refusal("400 Bad Request", f"not JSON: {exc}", "body")
    items = payload if isinstance(payload, list) else [payload]
    mentions: list[Mention] = []
    for index, item in enumerate(items):
        if isinstance(payload, list) and isinstance(item, list):
            reason = "a list inside the list: send one flat list of mentions"
            return [], Refusal("422 Unprocessable Content", reason, f"[{index}]")
        try:
            mentions += mentions_from(item, Source.WEBHOOK)
        except PayloadError as exc:
            where = exc.field or "body"
            if isinstance(payload, list):
                where = f"[{index}]" + ("" if where == "body" else f".{where}")
            return [], Refusal("422 Unprocessable Content", exc.reason, where)
        except Exception as exc:  # a shape the reader did not foresee: the sender's fault, not 5xx
            where = f"[{index}]" if isinstance(payload, list) else "body"
            reason = f"unreadable: {type(exc).__name__}"
            return [], Refusal("422 Unprocessable Content", reason, where)
    if not mentions:
        return [], Refusal("422 Unprocessable Content", "no mention in the payload", "body")
    return mentions, None
