"""X API spend: calls and resources per endpoint per UTC day, and their estimated cost."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import redis

from flare import keys
from flare.settings import XSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rates:
    post_read: float
    user_read: float
    owned_read: float
    post_create: float
    dm_create: float

    @classmethod
    def of(cls, x: XSettings) -> Rates:
        return cls(
            x.price_post_read,
            x.price_user_read,
            x.price_owned_read,
            x.price_post_create,
            x.price_dm_create,
        )


@dataclass(frozen=True)
class Usage:
    calls: int = 0
    posts: int = 0
    users: int = 0


def estimate(endpoint: str, usage: Usage, rates: Rates) -> float:
    """Dollars for one endpoint's use: reads are priced per resource, writes per call.

    Reads of the brand's own mentions are "owned reads"; stream rules and connections are free.
    """
    if endpoint == "mentions":
        return usage.posts * rates.owned_read
    if endpoint in ("search_recent", "stream"):
        return usage.posts * rates.post_read + usage.users * rates.user_read
    if endpoint == "create_post":
        return usage.calls * rates.post_create
    if endpoint == "create_dm":
        return usage.calls * rates.dm_create
    return 0.0


def usage_from(fields: Mapping[str, int]) -> dict[str, Usage]:
    """A day's hash (`<endpoint>:calls|posts|users` → count) as usage per endpoint."""
    out: dict[str, dict[str, int]] = {}
    for name, count in fields.items():
        endpoint, _, kind = name.rpartition(":")
        if kind in ("calls", "posts", "users"):
            out.setdefault(endpoint, {})[kind] = int(count)
    return {endpoint: Usage(**counts) for endpoint, counts in sorted(out.items())}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Spend:
    """Counts X API use in Redis: one hash per UTC day, and one since the start that /metrics
    reads (flare/metrics.py), so every process adds to the same series."""

    def __init__(
        self,
        client: redis.Redis,
        rates: Rates,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self.redis = client
        self.rates = rates
        self.today = today

    def record(self, endpoint: str, calls: int = 0, posts: int = 0, users: int = 0) -> None:
        key = keys.x_spend(self.today().isoformat())
        dollars = estimate(endpoint, Usage(calls, posts, users), self.rates)
        try:
            pipe = self.redis.pipeline()
            for kind, count in (("calls", calls), ("posts", posts), ("users", users)):
                if count:
                    pipe.hincrby(key, f"{endpoint}:{kind}", count)
                    pipe.hincrby(keys.x_spend_total(), f"{endpoint}:{kind}", count)
            if dollars:
                pipe.hincrbyfloat(keys.x_spend_total(), f"{endpoint}:dollars", dollars)
            pipe.expire(key, 400 * 24 * 3600)
            pipe.execute()
        except redis.RedisError as exc:  # counting must never stop intake
            log.warning("could not count X API use: %s", exc)

    def day(self, day: date) -> dict[str, Usage]:
        raw = self.redis.hgetall(keys.x_spend(day.isoformat()))
        return usage_from({_text(k): int(v) for k, v in raw.items()})

    def report(self, days: int) -> list[tuple[date, str, Usage, float]]:
        """(day, endpoint, usage, estimated dollars) for the last `days` UTC days, oldest first."""
        today = self.today()
        rows = []
        for back in range(days - 1, -1, -1):
            day = today - timedelta(days=back)
            for endpoint, usage in self.day(day).items():
                rows.append((day, endpoint, usage, estimate(endpoint, usage, self.rates)))
        return rows
