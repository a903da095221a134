"""/slack/events: the size and Slack's signature are checked on the raw body before Bolt reads
it; what Slack did not sign gets a 401, never a 500 and never a traceback."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis
import requests
from slack_bolt import App

from bot.app import bolt_app, slack_routes
from bot.gate import gate, signed_by_slack
from bot.slack_client import SlackClient
from cli.standin import SlackStandIn
from flare.defaults import MAX_SLACK_BYTES
from flare.http import router
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack import signed_headers


class Endless(io.RawIOBase):
    """A request body that never ends, counting what is read of it."""

    def __init__(self) -> None:
        self.taken = 0

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "the whole body was asked for"
        self.taken += size
        return b"x" * size


def call(app: Callable[..., Any], environ: dict[str, Any]) -> str:
    status: list[str] = []
    b"".join(app(environ, lambda s, headers: status.append(s)))
    return status[0]


def bolt_never_called(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    raise AssertionError("Bolt was given a request the gate should have refused")


@pytest.mark.parametrize("declared", ["", "300000000", "5"])
def test_a_huge_body_is_refused_having_read_at_most_the_limit(declared: str) -> None:
    body = Endless()
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": declared, "wsgi.input": body}

    status = call(gate(bolt_never_called, SIGNING_SECRET, max_bytes=10), environ)

    assert status.startswith("401" if declared == "5" else "413")
    assert body.taken <= 11


def test_the_limit_is_one_a_modal_submission_fits_in() -> None:
    assert 100_000 < MAX_SLACK_BYTES <= 2_000_000


@pytest.mark.parametrize(
    ("timestamp", "body"),
    [
        ("9" * 309, b"payload=%7B"),
        ("soon", b"{}"),
        (None, b"{}"),
        ("NOW", b"\xff\xfe not utf-8"),
    ],
)
def test_a_signature_is_checked_without_trusting_anything_in_the_request(
    timestamp: str | None, body: bytes
) -> None:
    now = time.time()
    stamp = str(int(now)) if timestamp == "NOW" else timestamp

    assert not signed_by_slack(SIGNING_SECRET, body, stamp, "v0=" + "0" * 64, now)


# over HTTP, the real Bolt app behind the gate --------------------------------------------------
@pytest.fixture
def events(
    redis_client: redis.Redis, fake_slack: SlackStandIn, serve_wsgi: Callable[[Any], str]
) -> str:
    app: App = bolt_app(SlackClient("xoxb-test", fake_slack.base_url).web, SIGNING_SECRET, "x")
    return serve_wsgi(router(redis_client, slack_routes(app, SIGNING_SECRET))) + "/slack/events"


UNSIGNED = [b"payload=%7B", b"{", b"\xff\xfe\xfd", b"", b"payload=" + b"%5B" * 5000, b"a=b&c"]


@pytest.mark.parametrize("body", UNSIGNED, ids=[repr(b[:12]) for b in UNSIGNED])
def test_an_unsigned_body_is_refused_with_401_before_bolt_parses_it(
    events: str, body: bytes
) -> None:
    for content_type in ("application/x-www-form-urlencoded", "application/json"):
        answer = requests.post(events, data=body, headers={"Content-Type": content_type}, timeout=5)

        assert answer.status_code == 401, (body[:20], content_type, answer.text[:200])
        assert "Traceback" not in answer.text


@pytest.mark.parametrize("body", [b"payload=%7B", b"{", b"payload=%5B1%5D", b"payload=null"])
def test_a_signed_body_bolt_cannot_read_is_a_400_not_a_500(events: str, body: bytes) -> None:
    text = body.decode()
    for content_type in ("application/x-www-form-urlencoded", "application/json"):
        headers = {**signed_headers(SIGNING_SECRET, text), "Content-Type": content_type}

        answer = requests.post(events, data=body, headers=headers, timeout=5)

        assert answer.status_code < 500, (body, content_type, answer.status_code)


def test_a_body_over_the_limit_is_refused_with_413(events: str) -> None:
    body = "payload=" + "x" * MAX_SLACK_BYTES

    answer = requests.post(
        events, data=body, headers=signed_headers(SIGNING_SECRET, body), timeout=10
    )

    assert answer.status_code == 413
