"""The X filtered stream: rules from settings, X's reconnect back-off, every line to the batcher."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import requests
import tweepy
from prometheus_client import Counter, Gauge

from flare import keys
from flare.defaults import KEPT_BYTES, MAX_LINE_BYTES
from flare.settings import IntakeSettings, XSettings
from rules.mention import Mention, Source
from rules.normalize import read_payload
from rules.units import handle
from workers.batcher import Batcher
from workers.intake import Intake
from workers.spend import Spend
from workers.x_client import (
    EXPANSIONS,
    TWEET_FIELDS,
    USER_FIELDS,
    XError,
    XSession,
    typed_error,
)

log = logging.getLogger(__name__)

CONNECTED = Gauge("flare_x_stream_connected", "1 while the X filtered stream is connected")
BACKOFF = Gauge("flare_x_stream_backoff_seconds", "Current wait before reconnecting the stream")
DISCONNECTS = Counter("flare_x_stream_disconnects_total", "Stream connections lost", ["failure"])
ALERTS = Counter("flare_x_stream_alerts_total", "Operator alerts: stream at maximum back-off")
LINES = Counter("flare_x_stream_lines_total", "Lines read from the stream", ["kind"])

Alert = Callable[[str], None]


# rules ---------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    value: str
    tag: str
    id: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RulesDiff:
    add: tuple[Rule, ...]
    delete: tuple[str, ...]  # rule ids

    @property
    def empty(self) -> bool:
        return not self.add and not self.delete


def _term(keyword: str) -> str:
    keyword = keyword.strip()
    if any(c in keyword for c in ' ()"') or keyword.upper() in ("OR", "AND"):
        return '"' + keyword.replace('"', '\\"') + '"'
    return keyword


def _pack(terms: Sequence[str], suffix: str, max_length: int, tag: str) -> list[Rule]:
    """Terms ORed into as few rules as fit in `max_length` characters each."""
    rules: list[Rule] = []
    group: list[str] = []

    def value(parts: list[str]) -> str:
        body = parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
        return body + suffix

    for term in terms:
        if len(value([term])) > max_length:
            raise ValueError(f"stream term {term!r} does not fit in a {max_length}-character rule")
        if group and len(value([*group, term])) > max_length:
            rules.append(Rule(value(group), tag))
            group = []
        group.append(term)
    if group:
        rules.append(Rule(value(group), tag))
    if len(rules) > 1:
        rules = [Rule(r.value, f"{tag}:{n}") for n, r in enumerate(rules, start=1)]
    return rules


def build_rules(
    handles: Iterable[str],
    keywords: Iterable[str] = (),
    exclusions: Iterable[str] = (),
    max_length: int = 1024,
    tag: str = "flare",
) -> list[Rule]:
    """The stream rules Flare wants: the brand handles, then extra keywords, each with the
    exclusions (`is:retweet` becomes `-is:retweet`)."""
    suffix = "".join(" -" + e.strip().lstrip("-") for e in exclusions if e.strip())
    mentions = sorted({"@" + handle(h) for h in handles if h.strip()})
    words = list(dict.fromkeys(_term(k) for k in keywords if k.strip()))
    return _pack(mentions, suffix, max_length, f"{tag}:mentions") + _pack(
        words, suffix, max_length, f"{tag}:keywords"
    )


def diff_rules(wanted: Sequence[Rule], held: Sequence[Rule]) -> RulesDiff:
    """What to add and delete so that X holds exactly `wanted`: a rule X holds already (same
    value and tag) is kept, never added again; every other held rule is stale."""
    kept: set[Rule] = set()
    delete = []
    for rule in held:
        if rule in wanted and rule not in kept:
            kept.add(rule)
        elif rule.id is not None:
            delete.append(rule.id)
    return RulesDiff(tuple(r for r in dict.fromkeys(wanted) if r not in kept), tuple(delete))


# back-off ------------------------------------------------------------------
class Failure(StrEnum):
    NETWORK = "network"  # TCP/IP error, stall past the keep-alive timeout, or closed by X
    HTTP = "http"  # an HTTP error status
    RATE_LIMITED = "rate_limited"  # 420 / 429


@dataclass(frozen=True)
class BackoffPolicy:
    """X's numbers (handling-disconnections): linear +0.25 s up to 16 s for network errors;
    exponential from 5 s up to 320 s for HTTP errors, from 60 s for 429."""

    network_step: float = 0.25
    network_max: float = 16.0
    http_start: float = 5.0
    http_max: float = 320.0
    rate_limit_start: float = 60.0

    @classmethod
    def of(cls, intake: IntakeSettings) -> BackoffPolicy:
        return cls(
            intake.backoff_network_step,
            intake.backoff_network_max,
            intake.backoff_http_start,
            intake.backoff_http_max,
            intake.backoff_rate_limit_start,
        )


@dataclass(frozen=True)
class Backoff:
    """Where a run of failed connections stands; a successful connection starts a new one."""

    network_next: float = 0.0
    http_next: float | None = None
    wait: float = 0.0
    at_max: bool = False

    def after(self, failure: Failure, policy: BackoffPolicy) -> Backoff:
        """The state after one more failure; `wait` is how long to wait before reconnecting."""
        if failure is Failure.NETWORK:
            wait = min(self.network_next, policy.network_max)
            return Backoff(
                network_next=min(policy.network_max, wait + policy.network_step),
                http_next=self.http_next,
                wait=wait,
                at_max=wait >= policy.network_max,
            )
        wait = self.http_next if self.http_next is not None else policy.http_start
        if failure is Failure.RATE_LIMITED:
            wait = max(wait, policy.rate_limit_start)
        wait = min(wait, policy.http_max)
        return Backoff(
            network_next=self.network_next,
            http_next=min(policy.http_max, wait * 2),
            wait=wait,
            at_max=wait >= policy.http_max,
        )


def failure_of(status: int) -> Failure:
    return Failure.RATE_LIMITED if status in (420, 429) else Failure.HTTP


# the connection ------------------------------------------------------------
class _StreamingClient(tweepy.StreamingClient):
    """tweepy's StreamingClient for one connection at a time: any failure ends `filter()` at once
    (tweepy's own retry loop and sleeps are not used) and is kept in `failure` for `XStream`."""

    def __init__(self, stream: XStream, bearer_token: str, base_url: str, timeout: float) -> None:
        super().__init__(bearer_token, return_type=requests.Response, wait_on_rate_limit=False)
        self.session = XSession(base_url, read_timeout=timeout)
        self.stream = stream
        self.failure: tuple[Failure, str] | None = None
        self.connected = False

    def on_connect(self) -> None:
        self.connected = True
        self.stream._connected()

    def on_data(self, raw_data: bytes) -> None:
        self.stream.take_line(raw_data)

    def on_keep_alive(self) -> None:
        self.stream._keep_alive()

    def on_request_error(self, status_code: int) -> None:
        self.failure = (failure_of(status_code), f"HTTP {status_code}")
        self.disconnect()  # before tweepy's own sleep

    def on_connection_error(self) -> None:
        self.failure = (Failure.NETWORK, "connection error or keep-alive timeout")
        self.disconnect()

    def on_closed(self, response: Any) -> None:
        self.failure = (Failure.NETWORK, "closed by X")
        self.disconnect()

    def on_exception(self, exception: Exception) -> None:
        if isinstance(exception, requests.RequestException):  # e.g. a bad FLARE_X__API_URL
            log.error("stream failed: %s", exception)
        else:
            log.error("stream failed", exc_info=exception)
        self.failure = (Failure.NETWORK, f"{type(exception).__name__}: {exception}")

    def on_disconnect(self) -> None:
        pass


class XStream:
    """Keeps one filtered-stream connection open and feeds every post to the batcher.

    It asks for a gap backfill (`on_gap`) when a connection drops, when one is made, and
    `settle` seconds after that for posts still in flight; at the maximum back-off it calls
    `alert` once per outage.
    """

    def __init__(
        self,
        x: XSettings,
        intake_settings: IntakeSettings,
        rules: Sequence[Rule],
        intake: Intake,
        batcher: Batcher,
        *,
        on_gap: Callable[[], None] = lambda: None,
        alert: Alert = lambda message: None,
        spend: Spend | None = None,
    ) -> None:
        assert x.bearer_token is not None, "the stream needs FLARE_X__BEARER_TOKEN"
        self.rules = list(rules)
        self.intake = intake
        self.batcher = batcher
        self.on_gap = on_gap
        self.alert = alert
        self.spend = spend
        self.policy = BackoffPolicy.of(intake_settings)
        self.settle = intake_settings.backfill_settle
        self.client = _StreamingClient(
            self,
            x.bearer_token.get_secret_value(),
            x.api_url,
            intake_settings.stream_keepalive_timeout,
        )
        self.connections = 0
        self.lines = 0
        self.backoff = Backoff()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._alerted = False
        self._settle_timer: threading.Timer | None = None
        self._last: tuple[str, float] | None = None  # last post id, epoch
        self._saved_at = 0.0
        self._unbilled = [0, 0]  # posts, users since the last spend record

    # rules ----------------------------------------------------------------
    def sync_rules(self) -> RulesDiff:
        """Make X hold exactly Flare's rules (stale ones deleted, none added twice)."""
        try:
            body = self.client.get_rules().json()
            held = [
                Rule(str(r["value"]), str(r.get("tag") or ""), str(r["id"]))
                for r in body.get("data") or ()
            ]
            diff = diff_rules(self.rules, held)
            if diff.delete:
                self.client.delete_rules(list(diff.delete))
            if diff.add:
                answer = self.client.add_rules(
                    [tweepy.StreamRule(value=r.value, tag=r.tag) for r in diff.add]
                ).json()
                for error in answer.get("errors") or ():
                    log.error("X refused a stream rule: %s", error)
        except (tweepy.TweepyException, requests.RequestException, ValueError) as exc:
            raise typed_error(exc, "stream_rules") from exc
        finally:
            if self.spend:
                self.spend.record("stream_rules", calls=1)
        log.info("stream rules: %d added, %d deleted", len(diff.add), len(diff.delete))
        return diff

    # lines ----------------------------------------------------------------
    def take_line(self, raw: bytes) -> None:
        """One stream line: its post goes to the batcher; an unreadable one to the dead letters.

        No line can stop the stream: whatever fails to read is kept whole with the reason.
        """
        self.lines += 1
        notice = _stream_notice(raw)
        if notice is not None:
            LINES.labels("error").inc()
            log.warning("stream says: %s", notice)
            return
        if len(raw) > MAX_LINE_BYTES:  # kept short: a huge line must not become a huge letter
            error: str | None = f"line of {len(raw)} bytes is over the limit of {MAX_LINE_BYTES}"
            mentions: list[Mention] = []
            raw = raw[:KEPT_BYTES]
        else:
            mentions, error = read_payload(raw, Source.X_STREAM)
        if error:
            LINES.labels("dead").inc()
            self.intake.dead_letters.push(raw, Source.X_STREAM.value, "x stream", error)
            return
        LINES.labels("post").inc()
        self.batcher.put_many(mentions)
        if mentions:
            self._last = (mentions[-1].id, time.time())
        self._unbilled[0] += len(mentions)
        self._unbilled[1] += len({m.author.id for m in mentions})  # the expanded authors
        self._save_state()

    def _keep_alive(self) -> None:
        LINES.labels("keep_alive").inc()
        self._save_state()

    def _save_state(self, force: bool = False, **extra: str) -> None:
        now = time.time()
        if not force and now - self._saved_at < 1.0:
            return
        self._saved_at = now
        fields: dict[Any, Any] = dict(extra)
        if self._last:
            fields.update(last_id=self._last[0], last_at=str(self._last[1]))
        try:
            if fields:
                self.intake.redis.hset(keys.x_stream_state(), mapping=fields)
            if self.spend and any(self._unbilled):
                posts, users = self._unbilled
                self._unbilled = [0, 0]
                self.spend.record("stream", posts=posts, users=users)
        except Exception as exc:  # state is for operators; the posts are already queued
            log.warning("could not save stream state: %s", exc)

    # connection -----------------------------------------------------------
    def _connected(self) -> None:
        self.connections += 1
        self.backoff = Backoff()
        self._alerted = False
        CONNECTED.set(1)
        BACKOFF.set(0)
        log.warning("X stream connected")
        self._save_state(force=True, connected_at=str(time.time()))
        # what was posted before this connection took over (at start too: the start-up poll
        # may have run before the stream was up), and again once posts in flight have landed
        self.on_gap()
        if self.settle > 0 and not self._stop.is_set():
            self._settle_timer = threading.Timer(self.settle, self.on_gap)
            self._settle_timer.daemon = True
            self._settle_timer.start()

    def run(self) -> None:
        """Connect and reconnect until `stop()`; returns then."""
        try:
            self.sync_rules()
        except XError as exc:
            log.error("could not set the stream rules (X keeps its current ones): %s", exc)
        while not self._stop.is_set():
            self.client.failure = None
            self.client.connected = False
            if self.spend:
                self.spend.record("stream_connect", calls=1)
            self.client.filter(
                expansions=EXPANSIONS, tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS
            )
            self._save_state(force=True)
            CONNECTED.set(0)
            if self._stop.is_set():
                return
            failure, why = self.client.failure or (Failure.NETWORK, "stream ended")
            if self.client.connected:
                self.backoff = Backoff()  # a drop after a good connection: reconnect at once
            self.backoff = self.backoff.after(failure, self.policy)
            DISCONNECTS.labels(failure.value).inc()
            BACKOFF.set(self.backoff.wait)
            log.warning("X stream lost (%s); reconnecting in %.2f s", why, self.backoff.wait)
            self._save_state(force=True, disconnected_at=str(time.time()), why=why)
            self.on_gap()
            if self.backoff.at_max and not self._alerted:
                self._alerted = True
                ALERTS.inc()
                self.alert(
                    f"X stream down ({why}): reconnect back-off at its maximum, "
                    f"{self.backoff.wait:g} s between attempts. Mentions are backfilled by "
                    "polling when FLARE_X__USER_ID is set."
                )
            self._stop.wait(self.backoff.wait)

    def start(self) -> XStream:
        self._thread = threading.Thread(target=self.run, name="flare-x-stream", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.client.disconnect()
        if self._settle_timer:
            self._settle_timer.cancel()
        if self._thread:
            self._thread.join(timeout)


def _stream_notice(raw: bytes) -> Any:
    """The `errors` of a line that carries no post (X's notices on the stream), else None."""
    if b'"data"' in raw or b'"errors"' not in raw:
        return None
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return payload["errors"] if isinstance(payload, dict) and "errors" in payload else None
