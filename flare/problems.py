"""What the workers met that only a person can fix (Slack refusing for good), kept for
`flare doctor` and the metrics, once per kind and channel."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

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


# Count one more meeting of a problem, in one step, however many workers meet it at once.
# KEYS: the problems hash. ARGV: the problem's field, its entry as JSON (times 1), the ISO time,
# the advice. Returns 1 when this call met it first, else 0.
_RECORD = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
local seen = cjson.decode(raw)
seen['last'] = ARGV[3]
seen['advice'] = ARGV[4]
seen['times'] = (tonumber(seen['times']) or 0) + 1
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(seen))
return 0
"""


def record(client: redis.Redis, code: str, channel: str, advice: str, at: datetime) -> bool:
    """Count one more meeting of this problem; True for the one caller that met it first (it
    says it, once), however many workers meet it at the same moment."""
    key = f"{code} {channel}".strip()
    when = at.isoformat()
    first = {"code": code, "channel": channel, "advice": advice, "first": when, "last": when}
    entry = json.dumps({**first, "times": 1})
    met_first = client.eval(_RECORD, 1, keys.slack_problems(), key, entry, when, advice)
    return bool(met_first)


def known(client: redis.Redis) -> list[Problem]:
    """Every problem met and not yet seen fixed, the longest-standing first."""
    out = [Problem(**json.loads(raw)) for raw in client.hgetall(keys.slack_problems()).values()]
    return sorted(out, key=lambda p: p.first)


def fixed(client: redis.Redis, problem: Problem) -> None:
    """`flare doctor` found this one fixed: forget it."""
    client.hdel(keys.slack_problems(), problem.key)
