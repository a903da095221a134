"""The web demo's page server: the state it shows each person, and each click or form passed on
to the app as Slack's signed interaction (checked here with slack_sdk's own verifier)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from slack_sdk.signature import SignatureVerifier

from cli.cast import AGENT, PR
from cli.site import Site
from cli.standin import SlackStandIn
from cli.x_standin import XStandIn

SECRET = "site-test-secret"
CARD = [
    {"type": "header", "text": {"type": "plain_text", "text": "🟡 P3 · Reply · delivery"}},
    {
        "type": "actions",
        "block_id": "case:c1",
        "elements": [
            {
                "type": "button",
                "action_id": "claim",
                "text": {"type": "plain_text", "text": "Claim"},
                "value": '{"case":"c1"}',
            }
        ],
    },
]
MODAL = {
    "type": "modal",
    "callback_id": "view_reply",
    "private_metadata": '{"case":"c1"}',
    "title": {"type": "plain_text", "text": "Reply on X"},
    "blocks": [],
}


@dataclass
class App:
    """Stands where Flare's Bolt app would: keeps what came in signed, answers `answer`."""

    received: list[dict[str, Any]] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    def start(self) -> App:
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                valid = SignatureVerifier(SECRET).is_valid(
                    body,
                    self.headers["X-Slack-Request-Timestamp"],
                    self.headers["X-Slack-Signature"],
                )
                form = parse_qs(body)
                app.received.append(
                    {
                        "valid": valid,
                        "type": self.headers["Content-Type"],
                        "payload": json.loads(form["payload"][0]),
                    }
                )
                out = json.dumps(app.answer).encode() if app.answer else b""
                self.send_response(200 if valid else 401)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"


@pytest.fixture
def world() -> Iterator[tuple[Site, SlackStandIn, App]]:
    standin, x, app = SlackStandIn().start(), XStandIn().start(), App().start()
    site = Site(standin, x, app.url, SECRET).start()
    yield site, standin, app
    site.stop()
    x.stop()
    standin.stop()
    assert app.server is not None
    app.server.shutdown()


def card_posted(standin: SlackStandIn) -> str:
    _, _, answer = standin.handle(
        "chat.postMessage", {"channel": "#social-care", "blocks": CARD, "text": "card"}, "t"
    )
    return str(answer["ts"])


def test_the_state_shows_each_channel_its_cards_and_their_threads(
    world: tuple[Site, SlackStandIn, App],
) -> None:
    site, standin, _ = world
    ts = card_posted(standin)
    standin.handle(
        "chat.postMessage", {"channel": "#social-care", "thread_ts": ts, "text": "Claimed"}, "t"
    )
    standin.handle("chat.postMessage", {"channel": "D0DEMOPR", "text": "Paged"}, "t")

    shown = requests.get(f"{site.url}/api/state", params={"as": AGENT.id}, timeout=5).json()

    care, pr = shown["channels"]
    assert (care["name"], pr["name"]) == ("#social-care", "#pr-escalations")
    assert care["messages"][0]["blocks"] == CARD
    assert [r["text"] for r in care["messages"][0]["replies"]] == ["Claimed"]
    assert shown["dm"]["messages"] == []  # the page went to PR, not to the agent
    assert [p["id"] for p in shown["cast"]] == ["U0DEMOAGENT", "U0DEMOLEAD", "U0DEMOPR"]
    as_pr = requests.get(f"{site.url}/api/state", params={"as": PR.id}, timeout=5).json()
    assert [m["text"] for m in as_pr["dm"]["messages"]] == ["Paged"]


def test_a_click_reaches_the_app_signed_as_slack_signs_block_actions(
    world: tuple[Site, SlackStandIn, App],
) -> None:
    site, standin, app = world
    ts = card_posted(standin)
    before = requests.get(f"{site.url}/api/state", timeout=5).json()["version"]

    answer = requests.post(
        f"{site.url}/api/click",
        json={
            "as": AGENT.id,
            "channel": "#social-care",
            "ts": ts,
            "block_id": "case:c1",
            "action_id": "claim",
        },
        timeout=5,
    )

    assert answer.json()["status"] == 200
    (got,) = app.received
    assert got["valid"] and got["type"] == "application/x-www-form-urlencoded"
    payload = got["payload"]
    assert payload["type"] == "block_actions" and payload["user"]["id"] == AGENT.id
    assert payload["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": "#social-care",
        "is_ephemeral": False,
    }
    (action,) = payload["actions"]
    assert (action["action_id"], action["value"]) == ("claim", '{"case":"c1"}')
    assert payload["trigger_id"] in site.modals.triggers
    assert requests.get(f"{site.url}/api/state", timeout=5).json()["version"] != before


def test_a_click_on_a_button_the_message_does_not_have_is_refused_and_not_sent(
    world: tuple[Site, SlackStandIn, App],
) -> None:
    site, standin, app = world
    ts = card_posted(standin)

    answer = requests.post(
        f"{site.url}/api/click",
        json={
            "as": AGENT.id,
            "channel": "#social-care",
            "ts": ts,
            "block_id": "case:c1",
            "action_id": "close",
        },
        timeout=5,
    )
    stranger = requests.post(
        f"{site.url}/api/click",
        json={
            "as": "U0SOMEONE",
            "channel": "#social-care",
            "ts": ts,
            "block_id": "case:c1",
            "action_id": "claim",
        },
        timeout=5,
    )

    assert answer.status_code == 400 and "no 'close'" in answer.json()["error"]
    assert stranger.status_code == 400 and "act as one of" in stranger.json()["error"]
    assert app.received == []


def open_modal(site: Site, standin: SlackStandIn) -> str:
    trigger = site.modals.trigger(AGENT.id)
    _, _, answer = standin.handle("views.open", {"trigger_id": trigger, "view": MODAL}, "t")
    return str(answer["view"]["id"])


def test_a_modal_opened_from_a_persons_click_is_theirs_alone(
    world: tuple[Site, SlackStandIn, App],
) -> None:
    site, standin, _ = world
    view_id = open_modal(site, standin)

    mine = requests.get(f"{site.url}/api/state", params={"as": AGENT.id}, timeout=5).json()
    theirs = requests.get(f"{site.url}/api/state", params={"as": PR.id}, timeout=5).json()

    assert [m["view"]["id"] for m in mine["modals"]] == [view_id]
    assert theirs["modals"] == []


def test_a_submitted_modal_goes_as_view_submission_and_closes(
    world: tuple[Site, SlackStandIn, App],
) -> None:
    site, standin, app = world
    view_id = open_modal(site, standin)
    values = {"draft": {"reply_draft": {"type": "plain_text_input", "value": "On its way ^AT"}}}

    requests.post(
        f"{site.url}/api/submit",
        json={"as": AGENT.id, "view_id": view_id, "values": values},
        timeout=5,
    )

    (got,) = app.received
    assert got["valid"]
    payload = got["payload"]
    assert payload["type"] == "view_submission"
    assert payload["view"]["id"] == view_id
    assert payload["view"]["private_metadata"] == '{"case":"c1"}'
    assert payload["view"]["state"] == {"values": values}
    shown = requests.get(f"{site.url}/api/state", params={"as": AGENT.id}, timeout=5).json()
    assert shown["modals"] == []


def test_a_modal_the_app_answers_with_errors_stays_open_showing_them(
    world: tuple[Site, SlackStandIn, App],
) -> None:
    site, standin, app = world
    view_id = open_modal(site, standin)
    app.answer = {"response_action": "errors", "errors": {"draft": "Too long for X"}}

    requests.post(
        f"{site.url}/api/submit", json={"as": AGENT.id, "view_id": view_id, "values": {}}, timeout=5
    )

    (modal,) = requests.get(f"{site.url}/api/state", params={"as": AGENT.id}, timeout=5).json()[
        "modals"
    ]
    assert modal["view"]["id"] == view_id and modal["errors"] == {"draft": "Too long for X"}


def test_typing_in_a_dispatching_input_sends_block_actions_from_the_view(
    world: tuple[Site, SlackStandIn, App],
) -> None:
    site, standin, app = world
    view_id = open_modal(site, standin)
    values = {"draft": {"reply_draft": {"type": "plain_text_input", "value": "On its w"}}}

    requests.post(
        f"{site.url}/api/type",
        json={
            "as": AGENT.id,
            "view_id": view_id,
            "block_id": "draft",
            "action_id": "reply_draft",
            "values": values,
        },
        timeout=5,
    )

    payload = app.received[0]["payload"]
    assert payload["container"] == {"type": "view", "view_id": view_id}
    assert payload["view"]["state"] == {"values": values}
    assert payload["actions"][0]["value"] == "On its w"


def test_the_page_and_its_script_are_served_from_the_package(
    world: tuple[Site, SlackStandIn, App],
) -> None:
    site, _, _ = world

    page = requests.get(site.url, timeout=5)
    script = requests.get(f"{site.url}/static/page.js", timeout=5)
    x_page = requests.get(f"{site.url}/x", timeout=5)
    elsewhere = requests.get(f"{site.url}/static/../site.py", timeout=5)

    assert page.ok and '<script src="/static/page.js">' in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # nothing fetched from elsewhere
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert 'data-page="x"' in x_page.text
    assert elsewhere.status_code == 404
