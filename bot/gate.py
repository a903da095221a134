"""The door of /slack/events: the body's size and Slack's signature, checked on the raw bytes
before Bolt parses anything; what is not Slack's gets a short 4xx, never a traceback."""

from __future__ import annotations

import hmac
import io
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk.signature import SignatureVerifier

from flare.defaults import MAX_SLACK_BYTES
from flare.http import Wsgi

log = logging.getLogger(__name__)

MAX_AGE = 300  # seconds a signed request stays valid, as Slack advises
STAMP_DIGITS = 12  # unix seconds; more would overflow the age arithmetic


def _answer(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    body = f"{text}\n".encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


def read_body(environ: dict[str, Any], limit: int) -> bytes | None:
    """The request's body, or None if it is over `limit` bytes; never reads more than
    `limit` + 1 bytes, whatever Content-Length says."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit:
        return None
    size = int(declared) if declared.isdigit() else limit + 1
    body = environ["wsgi.input"].read(min(size, limit + 1))
    return None if len(body) > limit else body


def signed_by_slack(
    secret: str, body: bytes, timestamp: str | None, signature: str | None, now: float
) -> bool:
    """Whether Slack signed this raw body recently: v0 HMAC-SHA256 of `v0:<timestamp>:<body>`."""
    if not timestamp or not signature or not timestamp.isdigit() or len(timestamp) > STAMP_DIGITS:
        return False
    if abs(now - int(timestamp)) > MAX_AGE:
        return False
    try:
        text = body.decode("utf-8")  # Slack sends UTF-8 only
    except UnicodeDecodeError:
        return False
    expected = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=text)
    return expected is not None and hmac.compare_digest(expected.encode(), signature.encode())


def gate(
    bolt: Wsgi,
    secret: str,
    max_bytes: int = MAX_SLACK_BYTES,
    clock: Callable[[], float] = time.time,
) -> Wsgi:
    """`bolt` behind the checks: 405 for anything but POST, 413 over `max_bytes`, 401 unless
    Slack signed the raw body; a signed body Bolt still cannot read is a 400."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, "405 Method Not Allowed", "use POST")
        body = read_body(environ, max_bytes)
        if body is None:
            return _answer(start_response, "413 Content Too Large", f"over {max_bytes} bytes")
        stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
        given = environ.get("HTTP_X_SLACK_SIGNATURE")
        if not signed_by_slack(secret, body, stamp, given, clock()):
            return _answer(start_response, "401 Unauthorized", "not signed by Slack")
        inner = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        try:
            return bolt(inner, start_response)
        except Exception:  # signed, yet not a request Bolt can read
            log.exception("/slack/events: a signed request Bolt could not read")
            return _answer(start_response, "400 Bad Request", "not a Slack request Flare reads")

    return app
