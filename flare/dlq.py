"""The dead-letter list: payloads that could not be taken in, kept whole so they can be replayed."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

import redis

from flare import keys


@dataclass(frozen=True)
class DeadLetter:
    id: str
    source: str
    where: str  # e.g. "samples.jsonl:12" or "POST /intake"
    error: str
    raw: bytes
    at: str

    def to_fields(self) -> dict[str, str]:
        return {
            "source": self.source,
            "where": self.where,
            "error": self.error,
            "raw": base64.b64encode(self.raw).decode(),
            "at": self.at,
        }


class DeadLetters:
    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def push(self, raw: bytes, source: str, where: str, error: str) -> DeadLetter:
        record_id = str(self.redis.incr(keys.dead_letter_seq()))
        letter = DeadLetter(record_id, source, where, error, raw, datetime.now(UTC).isoformat())
        pipe = self.redis.pipeline()
        pipe.hset(keys.dead_letter(record_id), mapping=letter.to_fields())
        pipe.rpush(keys.dead_letters(), record_id)
        pipe.execute()
        return letter

    def get(self, record_id: str) -> DeadLetter | None:
        raw = self.redis.hgetall(keys.dead_letter(record_id))
        if not raw:
            return None
        f = {k.decode(): v.decode() for k, v in raw.items()}
        return DeadLetter(
            record_id, f["source"], f["where"], f["error"], base64.b64decode(f["raw"]), f["at"]
        )

    def ids(self) -> list[str]:
        return [i.decode() for i in self.redis.lrange(keys.dead_letters(), 0, -1)]

    def all(self) -> list[DeadLetter]:
        return [letter for i in self.ids() if (letter := self.get(i))]

    def remove(self, record_id: str) -> None:
        pipe = self.redis.pipeline()
        pipe.lrem(keys.dead_letters(), 0, record_id)
        pipe.delete(keys.dead_letter(record_id))
        pipe.execute()
