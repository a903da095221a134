"""The listener behind `flare listen`: X stream, X polling with gap backfill, and /intake."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis

from bot.slack_client import SlackClient, SlackError
from flare.health import stream_connected
from flare.http import Server, Wsgi, router
from flare.settings import Settings
from rules.mention import Source
from workers.batcher import Batcher
from workers.intake import Intake
from workers.poller import Checkpoint, Poller
from workers.spend import Rates, Spend
from workers.spool import Spool
from workers.stream import Alert, XStream, build_rules
from workers.webhook import build_intake_endpoint
from workers.x_client import XClient

log = logging.getLogger(__name__)

WEBHOOK_HAND_ON_TIMEOUT = 10.0  # seconds a webhook request waits for its mentions to reach Redis


@dataclass(frozen=True)
class Part:
    """One source of the listener, whether it runs, and why (or why not)."""

    name: str
    on: bool
    why: str

    def line(self) -> str:
        return f"{self.name:<9} {'running' if self.on else 'skipped'}: {self.why}"


def plan(
    settings: Settings, stream: bool = True, poll: bool = True, webhook: bool = True, port: int = 0
) -> list[Part]:
    """What `flare listen` will run with these settings and options, each with its reason."""
    x, intake = settings.x, settings.intake
    terms = [f"@{h}" for h in settings.brand.handles] + list(intake.stream_keywords)
    parts = []
    if not stream:
        parts.append(Part("stream", False, "--no-stream"))
    elif x.bearer_token is None:
        parts.append(Part("stream", False, "FLARE_X__BEARER_TOKEN is not set"))
    elif not terms:
        parts.append(
            Part(
                "stream",
                False,
                "nothing to match: set FLARE_BRAND__HANDLES or FLARE_INTAKE__STREAM_KEYWORDS",
            )
        )
    else:
        parts.append(Part("stream", True, f"X filtered stream for {', '.join(terms)}"))
    can_poll = x.bearer_token is not None and x.user_id is not None
    missing = "FLARE_X__BEARER_TOKEN" if x.bearer_token is None else "FLARE_X__USER_ID"
    if not poll:
        parts.append(Part("poll", False, "--no-poll"))
    elif not can_poll:
        parts.append(Part("poll", False, f"{missing} is not set"))
    else:
        parts.append(
            Part("poll", True, f"mentions of user {x.user_id} every {intake.poll_interval:g} s")
        )
    if can_poll:
        parts.append(
            Part(
                "backfill",
                True,
                "mentions since the checkpoint, at start and after any stream disconnect",
            )
        )
    else:
        parts.append(
            Part("backfill", False, f"{missing} is not set: a stream gap cannot be filled")
        )
    if not webhook:
        parts.append(Part("webhook", False, "--no-webhook"))
    elif intake.webhook_secret is None:
        parts.append(
            Part(
                "webhook",
                True,
                f"port {port}: /intake answers 503 until FLARE_INTAKE__WEBHOOK_SECRET is set",
            )
        )
    else:
        parts.append(Part("webhook", True, f"POST http://<host>:{port}/intake (signed)"))
    return parts


def ops_alert(settings: Settings) -> Alert:
    """Log the alert, and post it to FLARE_INTAKE__OPS_CHANNEL when that and Slack are set."""
    channel = settings.intake.ops_channel
    token = settings.slack.bot_token
    slack = SlackClient(token.get_secret_value(), settings.slack.api_url) if token else None

    def alert(message: str) -> None:
        log.error("ALERT: %s", message)
        if channel and slack:
            blocks = [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f":rotating_light: {message}"},
                }
            ]
            try:
                slack.post_card(channel, blocks, message)
            except SlackError as exc:
                log.error("could not post the alert to %s: %s", channel, exc)

    return alert


class Listener:
    """The running sources of one `flare listen`, sharing one intake and one batcher."""

    def __init__(
        self,
        settings: Settings,
        client: redis.Redis,
        *,
        stream: bool = True,
        poll: bool = True,
        webhook: bool = True,
        host: str | None = None,
        port: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.client = client
        self.host = host or settings.host  # FLARE_HOST: 127.0.0.1 unless set
        self.port = port if port is not None else settings.intake.port
        self.parts = {p.name: p for p in plan(settings, stream, poll, webhook, self.port)}
        self.clock = clock
        s = settings.intake
        self.intake = Intake.for_settings(settings, client, batch_size=s.batch_size)
        self.batcher = Batcher.for_intake(
            self.intake,
            size=s.batch_size,
            wait=s.batch_wait_ms / 1000,
            capacity=s.queue_capacity,
            retry_max=s.redis_retry_max,
        )
        self.spend = Spend(client, Rates.of(settings.x))
        self.spool = Spool.in_dir(settings.data_dir)
        self.unspooled = 0  # mentions the last run kept on disk, handed on at this start
        self.spooled = 0  # mentions this run could not hand on and kept on disk for the next
        self.lost = 0  # mentions this run could neither hand on nor keep
        self.poller: Poller | None = None
        self.stream: XStream | None = None
        self._server: Server | None = None

    def _dead_letter(self, source: Source) -> Callable[[bytes, str, str], None]:
        def push(raw: bytes, where: str, error: str) -> None:
            self.intake.dead_letters.push(raw, source.value, where, error)

        return push

    def start(self) -> Listener:
        settings, s = self.settings, self.settings.intake
        # what the last run could not hand on goes first, before anything new is taken in
        self.unspooled = self.spool.hand_on(self.intake.submit_batch)
        self.batcher.start()
        if self.parts["backfill"].on:
            assert settings.x.user_id is not None
            x = XClient(
                settings.x,
                client=self.client,
                spend=self.spend,
                on_unreadable=self._dead_letter(Source.X_POLL),
                page_size=s.poll_page_size,
            )
            self.poller = Poller(
                x,
                Checkpoint(self.client, settings.x.user_id),
                self.batcher,
                interval=s.poll_interval if self.parts["poll"].on else None,
                min_gap=s.poll_min_gap,
                first_pages=s.first_poll_pages,
            ).start()
        if self.parts["stream"].on:
            rules = build_rules(
                settings.brand.handles,
                s.stream_keywords,
                s.stream_exclusions,
                s.stream_rule_max_length,
            )
            self.stream = XStream(
                settings.x,
                s,
                rules,
                self.intake,
                self.batcher,
                on_gap=self.poller.request_backfill if self.poller else lambda: None,
                alert=ops_alert(settings),
                spend=self.spend,
            ).start()
        self._serve(with_intake=self.parts["webhook"].on)
        return self

    @property
    def takes_anything_in(self) -> bool:
        """Whether any source can bring a mention in: the stream, the poll, or a signed /intake."""
        p = self.parts
        signed = p["webhook"].on and self.settings.intake.webhook_secret is not None
        return p["stream"].on or p["poll"].on or signed

    def _serve(self, with_intake: bool) -> None:
        """The HTTP server: /healthz and /metrics always, POST /intake unless --no-webhook."""
        routes = {"/intake": self._intake_endpoint()} if with_intake else {}
        stream = self.stream
        health = [stream_connected(lambda: stream.client.connected)] if stream else []
        wsgi = router(self.client, routes, health)
        max_body = self.settings.intake.webhook_max_bytes  # 413, unread
        self._server = Server(wsgi, self.host, self.port, max_body, threads=4)
        self.port = self._server.port
        self._server.start(name="flare-intake-http")

    def _intake_endpoint(self) -> Wsgi:
        secret = self.settings.intake.webhook_secret

        def hand_on(mentions: list[Any]) -> bool:
            return self.batcher.wait_for(self.batcher.put_many(mentions), WEBHOOK_HAND_ON_TIMEOUT)

        return build_intake_endpoint(
            self.intake,
            secret.get_secret_value() if secret else None,
            self.settings.intake.webhook_max_bytes,
            self.clock,
            max_age=self.settings.intake.webhook_max_age,
            hand_on=hand_on,
        )

    def stop(self) -> bool:
        """Stop every source, then hand on what waits; what Redis does not take in time is kept
        in the spool for the next start. False if some mentions could not even be kept."""
        if self.stream:
            self.stream.stop()
        if self.poller:
            self.poller.stop()
        if self._server is not None:  # a POST in flight is answered once its mentions are in
            self._server.stop_taking(WEBHOOK_HAND_ON_TIMEOUT)
            self._server.close()
        if self.batcher.close():
            return True
        held = self.batcher.held()
        try:
            self.spool.keep(held, self.settings.intake.batch_size)
        except OSError as exc:
            log.error("%d mentions could not be kept in %s: %s", len(held), self.spool.path, exc)
            self.lost = len(held)
            return False
        self.spooled = len(held)
        return True


def run_listen(
    settings: Settings,
    client: redis.Redis,
    *,
    stream: bool = True,
    poll: bool = True,
    webhook: bool = True,
    host: str | None = None,
    port: int | None = None,
    say: Callable[[str], None] = print,
    stop: threading.Event | None = None,
    on_start: Callable[[Listener], None] | None = None,
) -> Listener:
    """Run the listener until `stop` is set (or Ctrl-C / SIGTERM); returns it, stopped."""
    listener = Listener(
        settings, client, stream=stream, poll=poll, webhook=webhook, host=host, port=port
    )
    for part in listener.parts.values():
        say(part.line())
    if not listener.takes_anything_in:
        say(
            "nothing to listen to: set FLARE_X__BEARER_TOKEN with FLARE_BRAND__HANDLES or "
            "FLARE_X__USER_ID for X, or FLARE_INTAKE__WEBHOOK_SECRET for POST /intake"
        )
        return listener
    stop = stop or threading.Event()
    listener.start()
    if listener.unspooled:
        say(f"{listener.unspooled} mentions kept by the last run handed on to triage")
    if on_start:
        on_start(listener)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        say("stopping: handing the last mentions to triage")
        if not listener.stop():
            say(f"{listener.lost} mentions were not handed on (Redis down?) and could not be kept")
        elif listener.spooled:
            say(
                f"{listener.spooled} mentions were not handed on (Redis down?): kept in "
                f"{listener.spool.path}, to be handed on at the next start"
            )
    return listener
