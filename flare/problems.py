"""What the workers met that only a person can fix (Slack refusing for good), kept for
`flare doctor` and the metrics, once per kind and channel."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis

from flare import keys


@dataclass(frozen=True)
class Problem:
    code: str  # Slack's error string, e.g. not_in_channel
    channel: str  # the channel concerned, or "" for the token
    advice: str  # what to do about it
    first: str  # ISO time first met
    last: str  # ISO time last met
    times: int

    @property
    def key(self) -> str:
        return f"{self.code} {self.channel}".strip()


def record(client: redis.Redis, code: str, channel: str, advice: str, at: datetime) -> bool:
    """Count one more meeting of this problem; True for the one caller that met it first (it
    says it, once), however many workers meet it at the same moment."""
    key = f"{code} {channel}".strip()
    entry = {"code": code, "channel": channel, "advice": advice}
    first = {**entry, "first": at.isoformat(), "last": at.isoformat(), "times": 1}
    if client.hsetnx(keys.slack_problems(), key, json.dumps(first)):
        return True
    raw = client.hget(keys.slack_problems(), key)
    seen: dict[str, Any] = json.loads(raw) if raw else dict(first)
    seen.update(entry, last=at.isoformat(), times=int(seen.get("times", 0)) + 1)
    client.hset(keys.slack_problems(), key, json.dumps(seen))
    return False


def known(client: redis.Redis) -> list[Problem]:
    """Every problem met and not yet seen fixed, the longest-standing first."""
    out = [Problem(**json.loads(raw)) for raw in client.hgetall(keys.slack_problems()).values()]
    return sorted(out, key=lambda p: p.first)


def fixed(client: redis.Redis, problem: Problem) -> None:
    """`flare doctor` found this one fixed: forget it."""
    client.hdel(keys.slack_problems(), problem.key)
