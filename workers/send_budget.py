"""A per-channel send budget in Redis, shared by every worker: about one message a second.

Slack lets an app post about one message per second per channel, and answers a burst with a 429
and Retry-After. Each channel has a "next free" time; a worker takes the slot atomically or is
told how long to wait. A 429's Retry-After pushes a hold on the channel that every worker sees.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

import redis

from flare import keys
from rules.decision import Priority

_KEEP_MS = 60_000  # how long the bookkeeping keys outlive the moment they describe

# KEYS: next-free, hold. ARGV: now ms, interval ms, keep ms. Returns 0 (slot taken) or ms to wait.
_ACQUIRE = """
local now = tonumber(ARGV[1])
local free = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'),
                      tonumber(redis.call('GET', KEYS[2]) or '0'))
if now < free then return free - now end
local interval = tonumber(ARGV[2])
redis.call('SET', KEYS[1], now + interval, 'PX', interval + tonumber(ARGV[3]))
return 0
"""

# KEYS: hold. ARGV: until ms, keep ms, now ms. A hold only ever grows; returns the hold in force.
_HOLD = """
local hold = math.max(tonumber(ARGV[1]), tonumber(redis.call('GET', KEYS[1]) or '0'))
local ttl = hold - tonumber(ARGV[3]) + tonumber(ARGV[2])
redis.call('SET', KEYS[1], hold, 'PX', math.max(ttl, 1))
return hold
"""


def now_ms() -> int:
    return int(time.time() * 1000)


class SendBudget:
    """One shared slot per channel per 1/per_second seconds, and the holds 429s put on it."""

    def __init__(self, client: redis.Redis, per_second: float = 1.0) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be above 0")
        self.redis = client
        self.interval_ms = max(1, round(1000 / per_second))
        self._acquire = client.register_script(_ACQUIRE)
        self._hold = client.register_script(_HOLD)

    def try_acquire(self, channel: str, now_ms: int | None = None) -> float:
        """0.0 if this caller took the channel's slot, else the seconds to wait before trying."""
        now = _now(now_ms)
        wait_ms = self._acquire(
            keys=[keys.send_next(channel), keys.send_hold(channel)],
            args=[now, self.interval_ms, _KEEP_MS],
        )
        return int(wait_ms) / 1000

    def backoff(self, channel: str, retry_after_seconds: float, now_ms: int | None = None) -> int:
        """Hold the channel for every worker until Retry-After has passed; returns that epoch ms."""
        now = _now(now_ms)
        until = now + max(0, round(retry_after_seconds * 1000))
        return int(self._hold(keys=[keys.send_hold(channel)], args=[until, _KEEP_MS, now]))


def _now(given: int | None) -> int:
    return now_ms() if given is None else int(given)


class Urgent(Protocol):
    """Anything with a priority and a response target: a Decision, or a pending send."""

    @property
    def priority(self) -> Priority | None: ...

    @property
    def due(self) -> datetime | None: ...


U = TypeVar("U", bound=Urgent)


@dataclass(frozen=True)
class PendingSend:
    """A card waiting for its channel's slot."""

    case_id: str
    priority: Priority | None
    due: datetime | None


def most_urgent_first(items: Iterable[U]) -> list[U]:
    """P1 before P4, then the soonest response target; no priority or no target goes last."""

    def urgency(item: U) -> tuple[int, int, float]:
        rank = item.priority.rank if item.priority else 99
        due = item.due
        return (rank, 0 if due else 1, due.timestamp() if due else 0.0)

    return sorted(items, key=urgency)
