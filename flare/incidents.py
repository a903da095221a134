"""Incidents: a spike of complaints on one topic, rolled up into one record and one card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import redis

from flare import keys

SAMPLE_SIZE = 5


@dataclass(frozen=True)
class Incident:
    topic: str
    opened_at: datetime
    count: int
    recent: tuple[str, ...]  # the latest case ids, newest first


def read_incident(pipe: redis.client.Pipeline, topic: str) -> None:
    """Queue the reads of one incident on a pipeline; `incident_from` makes its replies one."""
    pipe.hgetall(keys.incident(topic))
    pipe.lrange(keys.incident_cases(topic), 0, SAMPLE_SIZE - 1)


def incident_from(topic: str, raw: dict[bytes, bytes], recent: list[bytes]) -> Incident | None:
    """The incident from the replies of `read_incident`; None if it is not open (any more)."""
    if not raw or b"opened_at" not in raw:
        return None
    return Incident(
        topic=topic,
        opened_at=datetime.fromisoformat(raw[b"opened_at"].decode()),
        count=int(raw.get(b"count", b"0")),
        recent=tuple(r.decode() for r in recent),
    )


class Incidents:
    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def join(self, topic: str, case_id: str, at: datetime) -> bool:
        """Count a case into the topic's open incident; True if this opened it."""
        key = keys.incident(topic)
        opened = bool(self.redis.hsetnx(key, "opened_at", at.isoformat()))
        pipe = self.redis.pipeline()
        pipe.hincrby(key, "count", 1)
        pipe.sadd(keys.incidents_open(), topic)
        pipe.lpush(keys.incident_cases(topic), case_id)
        pipe.ltrim(keys.incident_cases(topic), 0, 199)
        pipe.execute()
        return opened

    def get(self, topic: str) -> Incident | None:
        pipe = self.redis.pipeline()
        read_incident(pipe, topic)
        return incident_from(topic, *pipe.execute())
