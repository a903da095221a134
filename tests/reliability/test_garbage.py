"""Garbage at the doors: whatever arrives at POST /intake or /slack/events, signed or not, the
answer is a 2xx or a 4xx, never a 5xx; nothing unsigned is taken in.

Hypothesis-free on purpose: a fixed, readable set of bodies (truncations, wrong types, wrong
encodings, huge numbers, deep nesting) crossed with the ways a request can be signed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import redis
import requests

from cli import wiring
from flare.http import router
from flare.settings import Settings
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack import block_actions, signed_headers, view_submission
from tests.session import ListenerPool
from workers.intake import Intake
from workers.webhook import build_intake_endpoint, signature

HOOK_SECRET = "garbage-hook-secret"

JSON_GARBAGE: list[bytes] = [
    b"",
    b"{",
    b"}",
    b"[",
    b"null",
    b"0",
    b"-1e400",
    b"1" * 5000,
    b'"text"',
    b"[[]]",
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b"\xff\xfe\xfd",
    b"\xef\xbb\xbf{}",
    b'{"id": "\xed\xa0\x80"}',  # a lone surrogate, as UTF-8
    b'{"id": "1", "text": "x", "author": {}}',
    b'{"id": "1", "text": "x", "created_at": "2026-11-20T09:00:00Z", "author": {"id": []}}',
    b'{"id": "1", "text": "x", "created_at": 1e308, "author": {"id": "1"}}',
    b'{"id": "1", "text": "x", "created_at": "2026-13-45", "author": {"id": "1"}}',
    b'{"id": "1", "text": "x", "created_at": "2026-11-20T09:00:00Z", "author": {"id": "1"},'
    b' "metrics": {"likes": ' + b"9" * 400 + b"}}",
    b'{"id": "1", "text": "x", "created_at": "2026-11-20T09:00:00Z", "author": {"id": "1"},'
    b' "references": [{"type": "quoted"}]}',
    b'{"data": {"id": "1", "text": "x", "created_at": "2026-11-20", "author_id": "1",'
    b' "public_metrics": {"like_count": 1.5}}}',
    b'{"data": {"id": "1", "text": "x", "created_at": "2026-11-20", "author_id": "1",'
    b' "entities": {"mentions": "acme"}}}',
    b'{"data": {"id": "1", "text": "x", "created_at": "2026-11-20", "author_id": "1"},'
    b' "includes": {"users": [{"id": "1", "created_at": "0001-01-01T00:00:00Z"}]}}',
    b'{"data": [], "includes": null}',
    b'{"errors": [{"title": "x"}]}',
    b'{"id_str": "1", "user": {}}',
]


def _id(body: bytes) -> str:
    return repr(body[:24])


@pytest.fixture
def intake(redis_client: redis.Redis, serve_wsgi: Callable[[Any], str]) -> str:
    endpoint = build_intake_endpoint(Intake(redis_client), HOOK_SECRET, 200_000, time.time)
    return serve_wsgi(router(redis_client, {"/intake": endpoint})) + "/intake"


def _hook_headers(body: bytes, how: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signed = {
        "Content-Type": "application/json",
        "X-Flare-Timestamp": stamp,
        "X-Flare-Signature": signature(HOOK_SECRET, stamp, body),
    }
    if how == "signed":
        return signed
    if how == "unsigned":
        return {"Content-Type": "application/json"}
    if how == "huge timestamp":
        return {**signed, "X-Flare-Timestamp": "9" * 309}
    if how == "wrong type":
        return {**signed, "Content-Type": "text/plain"}
    return {**signed, "X-Flare-Signature": "v1=" + "f" * 64}  # forged


@pytest.mark.parametrize("how", ["signed", "unsigned", "huge timestamp", "wrong type", "forged"])
def test_no_body_at_the_intake_door_gets_a_server_error(
    intake: str, redis_client: redis.Redis, how: str
) -> None:
    for body in JSON_GARBAGE:
        answer = requests.post(intake, data=body, headers=_hook_headers(body, how), timeout=10)

        assert 400 <= answer.status_code < 500, (_id(body), how, answer.status_code, answer.text)
        assert answer.json()["error"], _id(body)


# /slack/events ------------------------------------------------------------------------------
@pytest.fixture
def events(settings: Settings, redis_client: redis.Redis, serve_wsgi: Callable[[Any], str]) -> str:
    """The bot as `flare bot` wires it, every listener on it."""
    app = wiring.build_app_for(settings, redis_client, ListenerPool())
    return serve_wsgi(router(redis_client, wiring_routes(app))) + "/slack/events"


def wiring_routes(app: Any) -> dict[str, Any]:
    from bot.app import slack_routes

    return slack_routes(app, SIGNING_SECRET)


def _form(payload: Any) -> bytes:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return urlencode({"payload": text}).encode()


click = block_actions("case_claim", "1001")
SLACK_GARBAGE: list[bytes] = [
    *JSON_GARBAGE,
    b"payload=%7B",
    b"payload=",
    b"payload=%ff%fe",
    b"payload=" + quote("[1,2]").encode(),
    b"payload=null",
    b"a=b&a=c",
    b"command=/flare&text=status",  # no user
    b"command=/flare&user_id=U1&text=" + b"%00" * 100,
    _form({"type": "block_actions"}),
    _form({"type": "block_actions", "actions": []}),
    _form({"type": "block_actions", "actions": [{}], "user": {"id": "U1"}}),
    _form({**click, "actions": [{**click["actions"][0], "value": "v-pipe|x"}]}),
    _form({**click, "actions": [{**click["actions"][0], "value": '{"case": 5}'}]}),
    _form({**click, "actions": [{**click["actions"][0], "value": "{" * 3000}]}),
    _form({**click, "user": None}),
    _form({"type": "view_submission"}),
    _form(view_submission({"callback_id": "view_reply", "private_metadata": "{"}, {})),
    _form(view_submission({"callback_id": "view_reply", "private_metadata": "[1]"}, {})),
    _form({"type": "shortcut", "callback_id": "x"}),
    _form({"type": "block_actions", "actions": [{"action_id": "case_claim"}]}),
    json.dumps({"type": "url_verification"}).encode(),
    json.dumps({"type": "event_callback", "event": None}).encode(),
    json.dumps({"type": "event_callback", "event": {"type": "app_home_opened"}}).encode(),
]


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_no_body_at_slacks_door_gets_a_server_error(events: str, signed: bool) -> None:
    for body in SLACK_GARBAGE:
        for content_type in ("application/x-www-form-urlencoded", "application/json"):
            headers = {"Content-Type": content_type}
            if signed:
                text = body.decode("utf-8", errors="surrogateescape")
                try:
                    headers = {**signed_headers(SIGNING_SECRET, text), **headers}
                except UnicodeEncodeError:
                    continue  # Slack signs UTF-8 only: such a body can only arrive unsigned
            answer = requests.post(events, data=body, headers=headers, timeout=10)

            assert answer.status_code < 500, (_id(body), content_type, answer.status_code)
            if not signed:
                assert answer.status_code == 401, (_id(body), content_type, answer.status_code)
