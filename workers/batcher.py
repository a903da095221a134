"""The batcher: mentions from every source gathered into batches for triage, none dropped."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import redis
from prometheus_client import Counter, Gauge

from rules.mention import Mention
from workers.intake import Intake, IntakeReport
from workers.spool import Held

log = logging.getLogger(__name__)

WAITING = Gauge("flare_intake_waiting", "Mentions waiting to be handed to triage")
TAKEN = Counter("flare_intake_mentions_total", "Mentions taken in", ["outcome"])
REDIS_RETRIES = Counter(
    "flare_intake_redis_retries_total", "Batches tried again after Redis failed"
)

Sink = Callable[[list[Mention], str], IntakeReport]
"""Hands one batch on; called again with the same token when an attempt raised."""


def retry_delays(first: float, most: float) -> Iterator[float]:
    """Seconds to wait before each new attempt: doubling from `first`, at most `most`."""
    delay = first
    while True:
        yield delay
        delay = min(most, delay * 2)


@dataclass
class BatcherStats:
    batches: int = 0
    new: int = 0
    duplicates: int = 0
    retries: int = 0


class Batcher:
    """Thread-safe: any thread `put`s; one thread hands batches of up to `size` mentions on,
    at the latest `wait` seconds after the oldest arrived.

    At most `capacity` mentions wait; past that, `put` blocks the producer (back-pressure).
    A batch that fails (Redis down) is kept and tried again with backoff, never dropped.
    """

    def __init__(
        self,
        sink: Sink,
        size: int = 100,
        wait: float = 0.25,
        capacity: int = 10_000,
        retry_first: float = 0.1,
        retry_max: float = 30.0,
    ) -> None:
        self.sink = sink
        self.size = size
        self.wait = wait
        self.capacity = max(capacity, size)
        self.retry_first = retry_first
        self.retry_max = retry_max
        self.stats = BatcherStats()
        self._items: deque[tuple[float, Mention]] = deque()
        self._cond = threading.Condition()
        self._added = 0
        self._done = 0
        self._flush_upto = 0
        self._closing = False
        self._thread: threading.Thread | None = None
        self._trying: tuple[int, str] | None = None  # the batch being handed on: size, token

    @classmethod
    def for_intake(
        cls,
        intake: Intake,
        size: int = 100,
        wait: float = 0.25,
        capacity: int = 10_000,
        retry_max: float = 30.0,
    ) -> Batcher:
        """A batcher that hands its batches to `intake` (dedupe, then the triage queue)."""
        return cls(
            intake.submit_batch, size=size, wait=wait, capacity=capacity, retry_max=retry_max
        )

    # producers ------------------------------------------------------------
    def put(self, mention: Mention) -> int:
        """Add one mention (blocks while the queue is full); returns its ticket."""
        return self.put_many([mention])

    def put_many(self, mentions: Iterable[Mention]) -> int:
        """Add mentions in order; returns the ticket of the last (see `wait_for`)."""
        with self._cond:
            for mention in mentions:
                while len(self._items) >= self.capacity and not self._closing:
                    self._cond.wait()
                self._items.append((time.monotonic(), mention))
                self._added += 1
                self._cond.notify_all()
            WAITING.set(len(self._items))
            return self._added

    def wait_for(self, ticket: int, timeout: float | None = None) -> bool:
        """Block until every mention up to `ticket` is handed on; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._flush_upto = max(self._flush_upto, ticket)
            self._cond.notify_all()
            while self._done < ticket:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def flush(self, timeout: float | None = None) -> bool:
        """Block until everything put so far is handed on."""
        with self._cond:
            ticket = self._added
        return self.wait_for(ticket, timeout)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._items)

    def held(self) -> list[Held]:
        """What waits, oldest first; the batch being tried carries its retry token."""
        with self._cond:
            size, token = self._trying or (0, None)
            return [Held(m, token if i < size else None) for i, (_, m) in enumerate(self._items)]

    # the handing thread ---------------------------------------------------
    def start(self) -> Batcher:
        self._thread = threading.Thread(target=self._run, name="flare-batcher", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout: float = 10.0) -> bool:
        """Hand on what waits (trying for up to `timeout` s) and stop; False if some remain."""
        delivered = self.flush(timeout)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread:
            self._thread.join(timeout=1.0)
        if not delivered:
            log.error("intake stopped with %d mentions not handed to triage", self.waiting)
        return delivered

    def _next_batch(self) -> list[Mention] | None:
        with self._cond:
            while True:
                if self._items:
                    oldest = self._items[0][0]
                    due = oldest + self.wait
                    urgent = self._done < self._flush_upto or self._closing
                    if len(self._items) >= self.size or urgent or time.monotonic() >= due:
                        count = min(self.size, len(self._items))
                        return [self._items[i][1] for i in range(count)]
                    self._cond.wait(max(0.0, due - time.monotonic()))
                elif self._closing:
                    return None
                else:
                    self._cond.wait()

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            if not self._hand_on(batch):
                return  # closed while Redis is down: `close` reports what was not handed on
            with self._cond:
                for _ in batch:
                    self._items.popleft()
                self._done += len(batch)
                self._trying = None
                WAITING.set(len(self._items))
                self._cond.notify_all()

    def _hand_on(self, batch: list[Mention]) -> bool:
        """Hand one batch on, trying again with backoff until it goes; False if closed first."""
        token = uuid.uuid4().hex
        with self._cond:
            self._trying = (len(batch), token)
        delays = retry_delays(self.retry_first, self.retry_max)
        while True:
            try:
                report = self.sink(batch, token)
            except Exception as exc:  # kept and tried again: a batch is never dropped
                delay = next(delays)
                self.stats.retries += 1
                REDIS_RETRIES.inc()
                if isinstance(exc, redis.RedisError):
                    log.warning(
                        "Redis refused a batch of %d (%s); again in %.1f s", len(batch), exc, delay
                    )
                else:
                    log.exception("a batch of %d failed; again in %.1f s", len(batch), delay)
                with self._cond:
                    if self._cond.wait_for(lambda: self._closing, delay):
                        return False
                continue
            self.stats.batches += 1
            self.stats.new += report.new
            self.stats.duplicates += report.duplicates
            TAKEN.labels("new").inc(report.new)
            TAKEN.labels("duplicate").inc(report.duplicates)
            return True
