"""Slack's interaction requests as Slack sends them: block_actions and view_submission payloads,
form-encoded and signed (v0 HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret).

The demo's page builds every click and form through here, so the Bolt app of the demo checks
the same signature and parses the same payload it would from Slack. Pure, but for `forward`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from slack_sdk.signature import SignatureVerifier

TEAM = {"id": "T0FLARE", "domain": "flare-demo"}
APP_ID = "A0FLAREDEMO"


def _user(user: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]}


def clicked(
    user: str,
    channel: str,
    message: dict[str, Any],
    action: dict[str, Any],
    trigger_id: str,
) -> dict[str, Any]:
    """A block_actions payload: `user` pressed `action` (a button or a select, as the page sent
    it) on `message`, a message of `channel` as the Web API holds it."""
    now = f"{time.time():.6f}"
    return {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "flare-demo-verification",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id,
        "team": TEAM,
        "channel": {"id": channel, "name": channel.lstrip("#")},
        "message": {"type": "message", **message},
        "response_url": "",
        "actions": [{**action, "action_ts": now}],
    }


def typed_in(
    user: str, view: dict[str, Any], values: dict[str, Any], action: dict[str, Any], trigger_id: str
) -> dict[str, Any]:
    """A block_actions payload from inside a modal: an input that dispatches its action (the
    reply's draft box) changed; the view carries the state of every input."""
    return {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "flare-demo-verification",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": trigger_id,
        "team": TEAM,
        "view": _with_state(view, values),
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }


def submitted(
    user: str, view: dict[str, Any], values: dict[str, Any], trigger_id: str
) -> dict[str, Any]:
    """A view_submission payload: `user` submitted the modal `view` with these input values
    (Slack's `state.values`: block id, then action id, then the element's value)."""
    return {
        "type": "view_submission",
        "team": TEAM,
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "flare-demo-verification",
        "trigger_id": trigger_id,
        "view": _with_state(view, values),
        "response_urls": [],
    }


def _with_state(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    hashed = hashlib.sha1(json.dumps(view, sort_keys=True).encode()).hexdigest()[:12]
    return {
        **view,
        "team_id": TEAM["id"],
        "hash": f"{int(time.time())}.{hashed}",
        "state": {"values": values},
    }


def signed_headers(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with a form-encoded request: its timestamp and signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None  # None only without a timestamp
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }


@dataclass(frozen=True)
class Signed:
    """A request ready to send: the form-encoded body and Slack's headers for it."""

    body: str
    headers: dict[str, str]

    @classmethod
    def of(cls, payload: dict[str, Any], secret: str, timestamp: int | None = None) -> Signed:
        body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))})
        return cls(body, signed_headers(secret, body, timestamp))


def forward(url: str, signed: Signed, timeout: float = 10.0) -> tuple[int, dict[str, Any]]:
    """POST the request to the app (its /slack/events); returns the status and its JSON answer
    ({} when the answer is empty, as a plain ack is)."""
    answer = requests.post(url, data=signed.body, headers=signed.headers, timeout=timeout)
    try:
        body = answer.json() if answer.content else {}
    except ValueError:
        body = {"text": answer.text[:500]}
    return answer.status_code, body if isinstance(body, dict) else {}
