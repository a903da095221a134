"""The mentions poller: X's mentions timeline read from a Redis checkpoint, and gap backfills."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from prometheus_client import Counter

from flare import keys
from workers.batcher import Batcher
from workers.x_client import RateLimit, XClient, XError, XRateLimited

log = logging.getLogger(__name__)

POLLS = Counter("flare_x_polls_total", "Polls of the X mentions timeline", ["outcome"])

HAND_ON_TIMEOUT = 60.0  # seconds a poll waits for its mentions to reach Redis before giving up


def later_id(a: str | None, b: str | None) -> str | None:
    """The newer of two X post ids (ids grow with time; compared as numbers)."""
    if a is None or b is None:
        return a or b
    return a if int(a) >= int(b) else b


def next_poll_delay(
    interval: float, limit: RateLimit | None, now: datetime, error: XError | None = None
) -> float:
    """Seconds until the next poll: the interval, or longer when X says the window is spent."""
    if isinstance(error, XRateLimited):
        if error.reset_at is None:
            return max(interval, 60.0)
        return max(interval, (error.reset_at - now).total_seconds() + 1)
    if limit and limit.remaining == 0 and limit.reset_at is not None:
        return max(interval, (limit.reset_at - now).total_seconds() + 1)
    return interval


@dataclass
class PollResult:
    found: int
    since_id: str | None
    newest_id: str | None


class Checkpoint:
    """The newest mention id taken in by polling, in Redis; it only moves forward."""

    def __init__(self, client: redis.Redis, user_id: str) -> None:
        self.redis = client
        self.key = keys.x_mentions_since(user_id)

    def get(self) -> str | None:
        value = self.redis.get(self.key)
        if not value:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def advance(self, newest: str) -> str:
        current = self.get()
        best = later_id(current, newest) or newest
        if best != current:
            self.redis.set(self.key, best)
        return best


class Poller:
    """Polls mentions since the checkpoint, hands them to the batcher, then moves the checkpoint.

    The checkpoint moves only once the mentions are in Redis, so a crash mid-poll re-reads
    them (dedupe drops the repeats) instead of skipping them. Runs periodically (`interval`),
    and at once when `request_backfill` is called (stream gaps), never more often than
    `min_gap` seconds.
    """

    def __init__(
        self,
        x: XClient,
        checkpoint: Checkpoint,
        batcher: Batcher,
        *,
        interval: float | None = 60.0,
        min_gap: float = 2.0,
        first_pages: int = 1,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.x = x
        self.checkpoint = checkpoint
        self.batcher = batcher
        self.interval = interval
        self.min_gap = min_gap
        self.first_pages = first_pages
        self.clock = clock
        self.polls = 0
        self.last_error: XError | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> PollResult:
        """One poll, all pages; raises XError (nothing lost: the checkpoint stays)."""
        with self._lock:
            since = self.checkpoint.get()
            pages = self.first_pages if since is None else None
            mentions, newest = self.x.mentions_since(since, max_pages=pages)
            ticket = self.batcher.put_many(mentions)
            if not self.batcher.wait_for(ticket, HAND_ON_TIMEOUT):
                raise XError("mentions not yet in Redis; checkpoint kept")
            if newest:
                self.checkpoint.advance(newest)
            self.polls += 1
            return PollResult(len(mentions), since, newest)

    def request_backfill(self) -> None:
        """Poll as soon as allowed: something may have been missed (stream gap, start)."""
        self._wake.set()

    # the polling thread ---------------------------------------------------
    def start(self) -> Poller:
        self._thread = threading.Thread(target=self._run, name="flare-poller", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

    def waits_after(self, error: XError | None) -> tuple[float, float]:
        """Seconds after a poll's start: before which nothing polls again (not even a backfill),
        and after which the next periodic poll is due."""
        wait = next_poll_delay(
            self.interval or 0.0, self.x.rate_limits.get("mentions"), self.clock(), error
        )
        # never sooner than min_gap after this poll, nor before a spent rate limit resets
        return max(self.min_gap, wait if error else 0.0), wait

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            error = self._poll_and_log()
            hold, wait = self.waits_after(error)
            hold -= time.monotonic() - started
            if hold > 0 and self._stop.wait(hold):
                return
            if error is not None and self.interval is None:
                continue  # backfill only: a failed backfill is tried again
            rest = None if self.interval is None else max(0.0, wait - (time.monotonic() - started))
            self._wake.wait(rest)  # the interval, or a backfill request, or stop
            self._wake.clear()

    def _poll_and_log(self) -> XError | None:
        try:
            result = self.poll_once()
        except XError as exc:
            POLLS.labels(type(exc).__name__).inc()
            log.warning("poll of mentions failed: %s", exc)
            self.last_error = exc
            return exc
        except redis.RedisError as exc:
            POLLS.labels("RedisError").inc()
            log.warning("poll of mentions failed on Redis: %s", exc)
            self.last_error = XError(f"Redis: {exc}")
            return self.last_error
        POLLS.labels("ok").inc()
        self.last_error = None
        if result.found:
            log.info("poll: %d mentions since %s", result.found, result.since_id)
        return None
