"""A scripted Flare session for tests: posts on the fake X, the real Bolt app over HTTP with
signed requests, the real RQ worker in burst, and agents who click and type like people do.

Nothing is patched: the bot and the workers talk to the fake Slack (cli.standin) through
slack_sdk and to the fake X (tests/fakes/x_api.py) through tweepy, as in production.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
import requests
from rq.registry import ScheduledJobRegistry

from bot.action_ids import ActionId
from bot.app import slack_routes
from bot.payloads import button_value
from cli.bot import build_app_for
from cli.standin import Call, SlackStandIn
from cli.worker import run_until_done
from flare import keys
from flare.case import Case
from flare.http import router
from flare.incidents import Incident, Incidents
from flare.outcome import Field
from flare.queues import all_queues
from flare.settings import Settings
from flare.store import Store
from rules.mention import Source
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack import block_actions, picked, post_signed, ticked, typed, view_submission
from tests.fakes.x_api import FakeX
from workers.intake import Intake, IntakeReport
from workers.x_client import XClient

AGENT, OTHER_AGENT, LEAD, PR, STRANGER = "U0AGENT1", "U0AGENT2", "U0LEAD", "U0PR", "U0STRANGER"


class ListenerPool(ThreadPoolExecutor):
    """Bolt's listener executor, which a test can wait on: `idle()` returns when every
    listener started so far has finished (Bolt answers Slack at ack(), before the listener ends).
    """

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="bolt-listener")
        self._started: list[Future[Any]] = []
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._started.append(future)
        return future

    def idle(self, within: float = 10.0) -> None:
        with self._lock:
            started = list(self._started)
        _, pending = wait(started, timeout=within)
        assert not pending, f"{len(pending)} Bolt listener(s) still running after {within} s"
        for future in started:
            future.result()  # a listener that raised fails the test here


@dataclass
class Clock:
    """The session's clock, which the bot and the workers read: the real time, moved on by
    `Session.time_passes` so a test sees a response target pass without waiting for it."""

    ahead: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@dataclass
class Modal:
    """A modal as the fake Slack holds it now (a job may have updated it since it opened)."""

    session: Session
    id: str

    @property
    def view(self) -> dict[str, Any]:
        return self.session.slack.views[self.id]

    @property
    def text(self) -> str:
        return json.dumps(self.view)

    def initial_draft(self) -> str:
        block = next(b for b in self.view["blocks"] if b.get("block_id") == Field.DRAFT.value)
        return str(block["element"].get("initial_value", ""))

    def asks_to_confirm(self) -> bool:
        return any(b.get("block_id") == Field.CONFIRM.value for b in self.view["blocks"])


@dataclass
class Agent:
    session: Session
    user: str

    def clicks(self, action: ActionId, case_id: str) -> int:
        """Click the button on the newest message showing it for this case (the card, or a
        request in its thread); returns the HTTP status Bolt answered."""
        where = self.session.message_with(action, case_id) or self.session.store.card(case_id)
        payload = block_actions(
            action.value,
            case_id,
            user=self.user,
            channel=where[0] if where else "C0ALERTS",
            message_ts=where[1] if where else "1700000000.000001",
        )
        status = post_signed(self.session.events, SIGNING_SECRET, payload).status_code
        self.session.settle()
        return status

    def opens(self, action: ActionId, case_id: str) -> Modal:
        """Click a button that opens a modal; the modal Flare opened for this click."""
        before = len(self.session.slack.calls_to("views.open"))
        assert self.clicks(action, case_id) == 200
        opened = self.session.slack.calls_to("views.open")[before:]
        assert opened, f"{action} opened no modal; {self.user} was told {self.was_told()[-1:]}"
        return self.session.latest_modal()

    def types(self, modal: Modal, draft: str) -> None:
        """Type into the reply modal: Slack sends the text box's dispatch action."""
        payload = {
            **block_actions(ActionId.REPLY_DRAFT.value, "", user=self.user),
            "container": {"type": "view", "view_id": modal.id},
            "view": {**modal.view, "hash": "h", "state": {"values": typed(Field.DRAFT, draft)}},
        }
        payload["actions"][0].update(type="plain_text_input", value=draft, block_id="draft")
        payload.pop("channel")
        assert post_signed(self.session.events, SIGNING_SECRET, payload).status_code == 200
        self.session.settle()

    def submits(self, modal: Modal, **inputs: str) -> dict[str, Any]:
        """Submit a modal with the given inputs (draft=..., reason=..., topic=...); returns
        Slack's answer body: {} when accepted, {"response_action": "errors", ...} when not."""
        values: dict[str, dict[str, Any]] = {}
        for name, value in inputs.items():
            values.update(_state(name, value))
        payload = view_submission(modal.view, values, user=self.user, view_id=modal.id)
        response = post_signed(self.session.events, SIGNING_SECRET, payload)
        assert response.status_code == 200, response.text
        self.session.settle()
        return response.json() if response.content else {}

    def was_told(self) -> list[str]:
        """The ephemeral messages Flare showed this agent, oldest first."""
        return [
            c.args["text"]
            for c in self.session.slack.calls_to("chat.postEphemeral")
            if c.args.get("user") == self.user
        ]


def _state(block: str, value: str) -> dict[str, dict[str, Any]]:
    """What Slack sends for one input of Flare's modals, filled in with `value`."""
    if block in (Field.DRAFT, Field.NOTE):
        return typed(block, value)
    if block == Field.CONFIRM:
        return ticked(block, "yes") if value else ticked(block)
    return picked(block, value, kind="static_select")


@dataclass
class Session:
    settings: Settings
    redis: redis.Redis
    slack: SlackStandIn
    x: FakeX
    url: str
    pool: ListenerPool
    clock: Clock = field(default_factory=Clock)
    worker_running: bool = True
    _since: str | None = None
    _xclient: XClient | None = field(default=None, repr=False)

    @property
    def events(self) -> str:
        return f"{self.url}/slack/events"

    @property
    def store(self) -> Store:
        return Store(self.redis)

    def agent(self, user: str) -> Agent:
        return Agent(self, user)

    # the outside world ---------------------------------------------------------------------
    def someone_posts(
        self, text: str, *, author: str = "501", mention: bool = True, **who: Any
    ) -> str:
        """A post on the fake X; Flare takes it in (mentions poll, or the keyword stream for a
        post that does not mention the brand), triages it and cards it. Returns the case id."""
        if author not in self.x.users or who:
            self.x.user(author, who.pop("username", f"user{author}"), **who)
        post = self.x.publish(text, author=author, mention=mention)
        intake = Intake(self.redis)
        if mention:
            mentions, self._since = self.xclient.mentions_since(self._since)
            intake.take(mentions)
        else:  # a keyword hit, as the filtered stream delivers it
            raw = json.dumps({"data": post, "includes": {"users": [self.x.users[author]]}})
            report = IntakeReport()
            intake.submit(intake.parse(raw.encode(), Source.X_STREAM, "stream", report), report)
        self.work()
        return str(post["id"])

    def customer_writes_again(self, case_id: str, text: str, **post: Any) -> str:
        """The case's customer answers in its conversation on X (a reply to their own post);
        Flare takes it in as it takes every mention. Returns the new post's id."""
        case = self.case(case_id)
        reply = self.x.publish(
            text,
            author=case.mention.author.id,
            conversation_id=case.mention.conversation_id or case.id,
            referenced_tweets=[{"type": "replied_to", "id": case.id}],
            **post,
        )
        mentions, self._since = self.xclient.mentions_since(self._since)
        Intake(self.redis).take(mentions)
        self.work()
        return str(reply["id"])

    @property
    def xclient(self) -> XClient:
        if self._xclient is None:
            self._xclient = XClient(self.settings.x)
        return self._xclient

    def settle(self) -> None:
        """Wait for the bot to finish with a request, then (with a worker running, as in
        production) for the jobs it queued."""
        self.pool.idle()
        if self.worker_running:
            self.work()

    @contextmanager
    def worker_stopped(self) -> Iterator[None]:
        """Queue jobs without running them, to see what happens before the worker gets there."""
        was, self.worker_running = self.worker_running, False
        try:
            yield
        finally:
            self.worker_running = was

    def time_passes(self, minutes: float) -> None:
        """Move the clock on; jobs scheduled for before the new time are queued, as RQ's
        scheduler would queue them once that time came, and run unless the worker is stopped."""
        self.clock.ahead += timedelta(minutes=minutes)
        now = int(self.clock().timestamp())
        for q in all_queues(self.redis):
            scheduled = ScheduledJobRegistry(queue=q)
            for job_id in scheduled.get_jobs_to_schedule(now):
                job = q.fetch_job(job_id)
                scheduled.remove(job_id)
                if job is not None:
                    q.enqueue_job(job)
        if self.worker_running:
            self.work()

    def work(self) -> None:
        """Run every queued job, as `flare worker` would, until the queues are empty; jobs put
        off for a moment (a card redraw, a post waiting for the channel's send budget) run
        once their moment comes, as RQ's scheduler would run them."""
        run_until_done(self.redis, within=30.0)

    def replies_on_x(self) -> list[dict[str, Any]]:
        return [p for p in self.x.posts if p["author_id"] == self.x.brand_id]

    # what people see in Slack --------------------------------------------------------------
    def case(self, case_id: str) -> Case:
        case = self.store.get(case_id)
        assert case is not None, f"no case {case_id}"
        return case

    def click_button(
        self,
        user: str,
        action: ActionId,
        where: tuple[str, str],
        message: dict[str, Any] | None = None,
    ) -> None:
        """Click a button on the message at (channel, ts), as Slack sends it, and settle;
        `message`: the message as the person saw it, if it has changed since."""
        message = message or self.slack.messages[where]
        value = next(
            e["value"]
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == action.value
        )
        payload = block_actions(action.value, "", user=user, channel=where[0], message_ts=where[1])
        payload["actions"][0]["value"] = value
        assert post_signed(self.events, SIGNING_SECRET, payload).status_code == 200
        self.settle()

    def incident_card(self, topic: str) -> tuple[str, str]:
        """Where the incident's card is in Slack."""
        where = self.redis.hgetall(keys.incident_card(topic))
        assert where, f"the {topic} incident has no card"
        return where[b"channel"].decode(), where[b"ts"].decode()

    def paging_incident(self, topic: str) -> Incident:
        incident = Incidents(self.redis).get(topic)
        assert incident is not None, f"no open incident on {topic}"
        return incident

    def card(self, case_id: str) -> dict[str, Any]:
        where = self.store.card(case_id)
        assert where is not None, f"case {case_id} has no card in Slack"
        return self.slack.messages[where]

    def card_text(self, case_id: str) -> str:
        return json.dumps(self.card(case_id)["blocks"], ensure_ascii=False)

    def buttons(self, case_id: str) -> list[str]:
        actions = next(b for b in self.card(case_id)["blocks"] if b["type"] == "actions")
        return [e["action_id"] for e in actions["elements"]]

    def message_with(self, action: ActionId, case_id: str) -> tuple[str, str] | None:
        """(channel, ts) of the newest message with this button for this case, as Slack shows."""
        found = [
            key
            for key, message in self.slack.messages.items()
            if f'"action_id": "{action.value}"' in json.dumps(message.get("blocks", []))
            and json.dumps({"value": button_value(case_id)})[1:-1]
            in json.dumps(message.get("blocks", []))
        ]
        return max(found, key=lambda key: float(key[1])) if found else None

    def thread(self, case_id: str) -> list[str]:
        where = self.store.card(case_id)
        assert where is not None
        return [
            m["text"]
            for (channel, _), m in sorted(self.slack.messages.items(), key=lambda kv: kv[0][1])
            if channel == where[0] and m.get("thread_ts") == where[1]
        ]

    def posts_in(self, channel: str) -> list[Call]:
        return [
            c
            for c in self.slack.calls_to("chat.postMessage")
            if c.args.get("channel") == channel and not c.args.get("thread_ts")
        ]

    def latest_modal(self) -> Modal:
        return Modal(self, list(self.slack.views)[-1])


def start_session(
    settings: Settings,
    client: redis.Redis,
    slack: SlackStandIn,
    x: FakeX,
    serve_wsgi: Callable[[Any], str],
) -> Session:
    from cli import wiring
    from workers import runtime

    clock = Clock()
    runtime.install(wiring.build_runtime(settings, client, clock=clock))
    pool = ListenerPool()
    url = serve_wsgi(
        router(
            client, slack_routes(build_app_for(settings, client, pool, clock=clock), SIGNING_SECRET)
        )
    )
    assert requests.get(f"{url}/healthz", timeout=5).ok
    return Session(settings, client, slack, x, url, pool, clock)
