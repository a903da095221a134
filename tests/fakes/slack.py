"""The fake Slack: Flare's stand-in Web API, plus signed inbound requests as Slack sends them."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import requests

from bot.action_ids import ActionId
from bot.payloads import button_value
from cli.interaction import signed_headers
from cli.standin import SlackStandIn
from flare.outcome import Field
from tests.conftest import SIGNING_SECRET

__all__ = [
    "SlackStandIn",
    "block_actions",
    "picked",
    "post_signed",
    "slash_command",
    "ticked",
    "typed",
    "view_submission",
]


def block_actions(
    action_id: str,
    case_id: str,
    user: str = "U0AGENT1",
    channel: str = "C0ALERTS",
    message_ts: str = "1700000000.000001",
) -> dict[str, Any]:
    """A block_actions payload in the shape Slack sends for a click on a button of this case."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0FLARE"},
        "api_app_id": "A0FLARE",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": "123.456.abc",
        "team": {"id": "T0FLARE", "domain": "flare"},
        "channel": {"id": channel, "name": "social-care"},
        "response_url": "https://hooks.slack.invalid/actions/T0FLARE/1/x",
        "actions": [
            {
                "action_id": action_id,
                "block_id": f"case:{case_id}",
                "value": button_value(case_id),
                "type": "button",
                "text": {"type": "plain_text", "text": action_id, "emoji": True},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def post_signed(
    url: str, secret: str, payload: dict[str, Any], timestamp: int | None = None
) -> requests.Response:
    """POST an interactivity payload to the bot the way Slack does: form-encoded and signed."""
    body = urlencode({"payload": json.dumps(payload)})
    return requests.post(
        url, data=body, headers=signed_headers(secret, body, timestamp), timeout=10
    )


def view_submission(
    view: dict[str, Any],
    values: dict[str, dict[str, Any]],
    user: str = "U0AGENT1",
    view_id: str = "V0MODAL1",
) -> dict[str, Any]:
    """A view_submission payload for a modal Flare opened, with the agent's inputs as state."""
    return {
        "type": "view_submission",
        "team": {"id": "T0FLARE", "domain": "flare"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0FLARE"},
        "api_app_id": "A0FLARE",
        "token": "legacy-verification-token",
        "trigger_id": "456.789.def",
        "view": {
            **view,
            "id": view_id,
            "team_id": "T0FLARE",
            "hash": "1700000000.abc",
            "state": {"values": values},
        },
        "response_urls": [],
    }


def typed(block: str, text: str) -> dict[str, dict[str, Any]]:
    """State for a plain text input the agent typed into (the draft box is the reply modal's)."""
    action = ActionId.REPLY_DRAFT.value if block == Field.DRAFT else block
    return {block: {action: {"type": "plain_text_input", "value": text}}}


def picked(block: str, value: str, kind: str = "radio_buttons") -> dict[str, dict[str, Any]]:
    """State for a radio button or select the agent picked."""
    return {block: {block: {"type": kind, "selected_option": {"value": value}}}}


def ticked(block: str, *values: str) -> dict[str, dict[str, Any]]:
    """State for checkboxes: the options the agent ticked, if any."""
    options = [{"value": v} for v in values]
    return {block: {block: {"type": "checkboxes", "selected_options": options}}}


def slash_command(
    url: str,
    text: str,
    user: str = "U0AGENT1",
    channel: str = "C0ALERTS",
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    response_url: str = "https://hooks.slack.invalid/commands/T0FLARE/1/x",
) -> requests.Response:
    """POST `/flare <text>` the way Slack does: the form fields of a slash command, signed;
    a later answer goes to `response_url`."""
    body = urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": "T0FLARE",
            "team_domain": "flare",
            "channel_id": channel,
            "channel_name": "social-care",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/flare",
            "text": text,
            "api_app_id": "A0FLARE",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "123.456.abc",
        }
    )
    return requests.post(
        f"{url}/slack/events",
        data=body,
        headers=signed_headers(secret, body, timestamp),
        timeout=10,
    )
