"""The web demo's page server: the static page, the state as JSON, and each click or form sent
on to the demo's Bolt app as the signed interaction Slack would send.

Routes: `/` (the Slack side), `/x` (the X side), `/static/<file>`, `GET /api/state?as=USER`,
`GET /api/x`, and `POST /api/click`, `/api/type`, `/api/submit`, `/api/close` (JSON bodies, below).
The page polls the state; its `version` moves whenever Slack, X, a modal or the story does.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from cli import interaction, local_http, scene
from cli.cast import CAST, Person
from cli.standin import SlackStandIn
from cli.story import Story
from cli.x_standin import XStandIn

MAX_BODY = 64 * 1024  # what the page sends is a click or a short form
STATIC = {
    "page.js": "text/javascript; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
    "slack.html": "text/html; charset=utf-8",
    "x.html": "text/html; charset=utf-8",
}


class BadRequest(Exception):
    """What the page sent cannot be made into an interaction: answered 400 with the reason."""


@dataclass
class Modals:
    """Which of the stand-in's modals each person has open: a modal is theirs when it was opened
    with a trigger id from their click, and open until they submit or close it."""

    triggers: dict[str, str] = field(default_factory=dict)  # trigger id: user
    closed: set[str] = field(default_factory=set)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)  # view id: block id: error
    changes: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def trigger(self, user: str) -> str:
        """A fresh trigger id for a click of `user` (Slack's are single-use, as this one is)."""
        trigger_id = f"{next(self._ids)}.{int(time.time())}.flaredemo"
        self.triggers[trigger_id] = user
        return trigger_id

    def open_for(self, user: str, standin: SlackStandIn) -> list[dict[str, Any]]:
        views = dict(standin.views)
        return [
            {"view": views[view_id], "errors": self.errors.get(view_id, {})}
            for view_id, trigger_id in list(standin.opened_by.items())
            if self.triggers.get(trigger_id) == user
            and view_id not in self.closed
            and view_id in views
        ][::-1]

    def close(self, view_id: str) -> None:
        self.closed.add(view_id)
        self.changes += 1

    def refuse(self, view_id: str, errors: dict[str, str]) -> None:
        self.errors[view_id] = errors
        self.changes += 1


@dataclass
class Site:
    """Start with `start()`; `url` is what to open."""

    standin: SlackStandIn
    x: XStandIn
    bot_url: str  # the Bolt app's /slack/events
    signing_secret: str
    story: Story | None = None
    cast: tuple[Person, ...] = CAST
    host: str = "127.0.0.1"
    port: int = 0
    modals: Modals = field(default_factory=Modals)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the site first"
        return f"http://{self.host}:{self._server.server_address[1]}"

    # state ----------------------------------------------------------------
    def version(self) -> str:
        act = self.story.act if self.story else 0
        return f"{len(self.standin.calls)}.{self.x.changes}.{self.modals.changes}.{act}"

    def state(self, user: str) -> dict[str, Any]:
        """The Slack side as `user` sees it now, with the cast and the story."""
        messages = _copied(self.standin.messages)
        ephemeral = [
            {**c.args, "at": c.at}
            for c in list(self.standin.calls)
            if c.method == "chat.postEphemeral"
        ]
        shown = scene.scene(user, messages, ephemeral, self.modals.open_for(user, self.standin))
        return {
            "version": self.version(),
            "as": user,
            "cast": [p.as_json() for p in self.cast],
            "story": self.story.status() if self.story else None,
            **shown,
        }

    def x_state(self) -> dict[str, Any]:
        return {"version": self.version(), **self.x.snapshot()}

    # what the page sends ----------------------------------------------------
    def _person(self, sent: dict[str, Any]) -> str:
        user = str(sent.get("as") or "")
        if user not in {p.id for p in self.cast}:
            raise BadRequest(f"act as one of the demo's people, not {user!r}")
        return user

    def click(self, sent: dict[str, Any]) -> dict[str, Any]:
        """`{"as", "channel", "ts", "block_id", "action_id", "selected"?}`: a press on a button
        (or a pick in a select) of a message as the stand-in holds it."""
        user = self._person(sent)
        channel, ts = str(sent.get("channel", "")), str(sent.get("ts", ""))
        message = self.standin.messages.get((channel, ts))
        if message is None:
            raise BadRequest(f"no message {ts} in {channel}")
        element = _element(message.get("blocks") or [], sent)
        action: dict[str, Any] = {
            "type": element.get("type", "button"),
            "action_id": element["action_id"],
            "block_id": str(sent.get("block_id")),
        }
        if element.get("type") == "button":
            action["text"] = element.get("text")
            if "value" in element:
                action["value"] = element["value"]
        else:
            action["selected_option"] = _option(element, str(sent.get("selected", "")))
        view = {"ts": ts, "text": message.get("text", ""), "blocks": message.get("blocks") or []}
        payload = interaction.clicked(user, channel, view, action, self.modals.trigger(user))
        return self._send(payload)

    def typed(self, sent: dict[str, Any]) -> dict[str, Any]:
        """`{"as", "view_id", "block_id", "action_id", "values"}`: an input of an open modal that
        dispatches its action changed (the reply's draft, as the agent types)."""
        user, view = self._person(sent), self._view(sent)
        values = _values(sent)
        block_id, action_id = str(sent.get("block_id")), str(sent.get("action_id"))
        state = values.get(block_id, {}).get(action_id)
        if state is None:
            raise BadRequest(f"no input {block_id}/{action_id} in the values sent")
        action = {"action_id": action_id, "block_id": block_id, **state}
        return self._send(
            interaction.typed_in(user, view, values, action, self.modals.trigger(user))
        )

    def submit(self, sent: dict[str, Any]) -> dict[str, Any]:
        """`{"as", "view_id", "values"}`: the modal submitted with Slack's `state.values`. The
        modal closes unless the app answers with errors, which it then shows."""
        user, view = self._person(sent), self._view(sent)
        payload = interaction.submitted(user, view, _values(sent), self.modals.trigger(user))
        answer = self._send(payload)
        reply = answer.get("answer") or {}
        if reply.get("response_action") == "errors":
            self.modals.refuse(view["id"], dict(reply.get("errors") or {}))
        elif answer["status"] == 200:
            self.modals.close(view["id"])
        return answer

    def close(self, sent: dict[str, Any]) -> dict[str, Any]:
        """`{"as", "view_id"}`: the modal's Cancel (Flare asks for no view_closed event)."""
        self._person(sent)
        self.modals.close(self._view(sent)["id"])
        return {"status": 200, "answer": {}}

    def _view(self, sent: dict[str, Any]) -> dict[str, Any]:
        view_id = str(sent.get("view_id", ""))
        view = self.standin.views.get(view_id)
        if view is None or view_id in self.modals.closed:
            raise BadRequest(f"no open modal {view_id!r}")
        return view

    def _send(self, payload: dict[str, Any]) -> dict[str, Any]:
        signed = interaction.Signed.of(payload, self.signing_secret)
        status, answer = interaction.forward(self.bot_url, signed)
        self.modals.changes += 1
        return {"status": status, "answer": answer}

    # serving --------------------------------------------------------------------
    def start(self) -> Site:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path in ("/", "/x"):
                    self._file("slack.html" if url.path == "/" else "x.html")
                elif url.path.startswith("/static/"):
                    self._file(url.path.removeprefix("/static/"))
                elif url.path == "/api/state":
                    user = parse_qs(url.query).get("as", [site.cast[0].id])[0]
                    self._json(200, site.state(user))
                elif url.path == "/api/x":
                    self._json(200, site.x_state())
                else:
                    self._json(404, {"error": f"no page {url.path}"})

            def do_POST(self) -> None:
                routes = {
                    "/api/click": site.click,
                    "/api/type": site.typed,
                    "/api/submit": site.submit,
                    "/api/close": site.close,
                }
                route = routes.get(urlsplit(self.path).path)
                length = int(self.headers.get("Content-Length") or 0)
                if route is None:
                    self._json(404, {"error": "no such action"})
                    return
                if length > MAX_BODY:
                    self._json(413, {"error": f"over {MAX_BODY} bytes"})
                    return
                try:
                    sent = json.loads(self.rfile.read(length) or b"{}")
                    if not isinstance(sent, dict):
                        raise BadRequest("send a JSON object")
                    self._json(200, route(sent))
                except (BadRequest, ValueError) as exc:
                    self._json(400, {"error": str(exc)})
                except requests.RequestException as exc:  # the app is not answering
                    self._json(502, {"error": f"Flare's Slack app did not answer: {exc}"})

            def _file(self, name: str) -> None:
                if name not in STATIC:
                    self._json(404, {"error": f"no file {name}"})
                    return
                body = (resources.files("cli") / "web" / name).read_bytes()
                self._send(200, STATIC[name], body)

            def _json(self, status: int, body: dict[str, Any]) -> None:
                self._send(status, "application/json; charset=utf-8", json.dumps(body).encode())

            def _send(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the page went away

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = local_http.serve(Handler, self.host, self.port, poll=0.05)
        return self

    def stop(self) -> None:
        local_http.close(self._server)


def _copied(messages: dict[tuple[str, str], dict[str, Any]]) -> list[tuple[tuple[str, str], Any]]:
    """The stand-in's messages, copied while its server threads may add to them."""
    for _ in range(5):
        try:
            return [(k, dict(v)) for k, v in list(messages.items())]
        except RuntimeError:  # changed size during the copy: take it again
            continue
    return []


def _element(blocks: list[dict[str, Any]], sent: dict[str, Any]) -> dict[str, Any]:
    """The interactive element the page says was used, found in the message itself: a click
    can only be one the message offers."""
    block_id, action_id = str(sent.get("block_id", "")), str(sent.get("action_id", ""))
    for block in blocks:
        if str(block.get("block_id", "")) != block_id:
            continue
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if element.get("action_id") == action_id:
                return dict(element)
    raise BadRequest(f"the message has no {action_id!r} in block {block_id!r}")


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in element.get("options") or []:
        if option.get("value") == value:
            return dict(option)
    raise BadRequest(f"{element.get('action_id')!r} has no option {value!r}")


def _values(sent: dict[str, Any]) -> dict[str, Any]:
    values = sent.get("values") or {}
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise BadRequest("values: block id, then action id, then the input's state")
    return values
