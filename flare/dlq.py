"""The dead letters: payloads that could not be taken in, kept whole and once each, to replay."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import redis

from flare import keys

PAGE = 50  # letters a page of `flare dlq list` shows
_CHUNK = 500  # letters dropped or upgraded per Redis call
_NUMBER = re.compile(r"(?<![\w-])\d+(?:\.\d+)?")  # "column 17", not "UTF-8"
_KIND_CHARS = 120

# Keep one payload: the same source and bytes again counts once more on the letter it already
# has (a file replayed twice does not double its letters); a new one gets the next id.
# KEYS: seq, index, last seen, digests, errors. ARGV: digest, now (epoch s), time (ISO),
# source, where, error, raw (base64), kind, the prefix of a letter's hash.
_PUSH = """
local known = redis.call('HGET', KEYS[4], ARGV[1])
if known and redis.call('EXISTS', ARGV[9] .. known) == 1 then
  redis.call('HINCRBY', ARGV[9] .. known, 'count', 1)
  redis.call('HSET', ARGV[9] .. known, 'last_at', ARGV[3])
  redis.call('ZADD', KEYS[3], ARGV[2], known)
  return {known, 0}
end
local id = tostring(redis.call('INCR', KEYS[1]))
redis.call('HSET', ARGV[9] .. id, 'source', ARGV[4], 'where', ARGV[5], 'error', ARGV[6],
  'raw', ARGV[7], 'at', ARGV[3], 'last_at', ARGV[3], 'count', 1, 'digest', ARGV[1],
  'kind', ARGV[8])
redis.call('ZADD', KEYS[2], id, id)
redis.call('ZADD', KEYS[3], ARGV[2], id)
redis.call('HSET', KEYS[4], ARGV[1], id)
redis.call('HINCRBY', KEYS[5], ARGV[8], 1)
return {id, 1}
"""

# Drop letters by id, each with its place in the index, its digest and its error's count.
# KEYS: index, last seen, digests, errors. ARGV: the prefix of a letter's hash, then the ids.
_DROP = """
local dropped = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local letter = ARGV[1] .. id
  local digest, kind = unpack(redis.call('HMGET', letter, 'digest', 'kind'))
  if redis.call('DEL', letter) == 1 then
    dropped = dropped + 1
    if digest and redis.call('HGET', KEYS[3], digest) == id then
      redis.call('HDEL', KEYS[3], digest)
    end
    if kind and redis.call('HINCRBY', KEYS[4], kind, -1) <= 0 then
      redis.call('HDEL', KEYS[4], kind)
    end
  end
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return dropped
"""


@dataclass(frozen=True)
class DeadLetter:
    id: str
    source: str
    where: str  # e.g. "samples.jsonl:12" or "POST /intake"
    error: str
    raw: bytes
    at: str  # when it first came in
    count: int = 1  # how many times the same payload came in
    last_at: str = ""


@dataclass(frozen=True)
class Page:
    """One page of the dead letters, oldest first, with the totals a person reads first."""

    letters: list[DeadLetter]
    number: int  # 1-based
    pages: int
    total: int
    by_error: list[tuple[str, int]]  # (kind, letters), most first


def error_kind(error: str) -> str:
    """What letters are counted by: the error with its numbers written N ("not JSON: Expecting
    value at column N"), so one bad file's letters fall under one line, not one per column."""
    return _NUMBER.sub("N", error)[:_KIND_CHARS]


def digest(source: str, raw: bytes) -> str:
    return hashlib.sha256(source.encode() + b"\0" + raw).hexdigest()


class DeadLetters:
    """Every letter's hash, an index by id and one by when it last came in, a digest of each
    payload and a count per kind of error: a page, the totals and a drop each touch only the
    letters they name, however many there are."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._push = client.register_script(_PUSH)
        self._drop = client.register_script(_DROP)

    def push(self, raw: bytes, source: str, where: str, error: str) -> DeadLetter:
        """Keep a payload; the same source and bytes kept before counts once more instead."""
        now = datetime.now(UTC)
        kept_id, new = self._push(
            keys=[
                keys.dead_letter_seq(),
                keys.dead_letter_index(),
                keys.dead_letter_last_seen(),
                keys.dead_letter_digests(),
                keys.dead_letter_errors(),
            ],
            args=[
                digest(source, raw),
                now.timestamp(),
                now.isoformat(),
                source,
                where,
                error,
                base64.b64encode(raw).decode(),
                error_kind(error),
                keys.dead_letter(""),
            ],
        )
        if new:
            return DeadLetter(kept_id.decode(), source, where, error, raw, now.isoformat())
        letter = self.get(kept_id.decode())
        assert letter is not None  # the script found it a moment ago
        return letter

    def get(self, record_id: str) -> DeadLetter | None:
        return _letter(record_id, self.redis.hgetall(keys.dead_letter(record_id)))

    def count(self) -> int:
        return int(self.redis.zcard(keys.dead_letter_index()))

    def by_error(self) -> list[tuple[str, int]]:
        """How many letters each kind of error has, most first."""
        counts = self.redis.hgetall(keys.dead_letter_errors())
        return sorted(
            ((kind.decode(), int(n)) for kind, n in counts.items()), key=lambda kn: (-kn[1], kn[0])
        )

    def page(self, number: int = 1, size: int = PAGE) -> Page:
        """Letters `size` at a time, oldest first: page 1 is the first `size` of them."""
        total = self.count()
        pages = max(1, -(-total // size))
        start = (max(1, number) - 1) * size
        found = self.redis.zrange(keys.dead_letter_index(), start, start + size - 1)
        ids = [i.decode() for i in found]
        return Page(self._get_many(ids), number, pages, total, self.by_error())

    def ids(self) -> list[str]:
        return [i.decode() for i in self.redis.zrange(keys.dead_letter_index(), 0, -1)]

    def all(self) -> list[DeadLetter]:
        return [letter for ids in self._chunks() for letter in self._get_many(ids)]

    def drop(self, *record_ids: str) -> int:
        """Drop these letters; returns how many there were."""
        return int(
            self._drop(
                keys=[
                    keys.dead_letter_index(),
                    keys.dead_letter_last_seen(),
                    keys.dead_letter_digests(),
                    keys.dead_letter_errors(),
                ],
                args=[keys.dead_letter(""), *record_ids],
            )
            if record_ids
            else 0
        )

    def remove(self, record_id: str) -> None:
        self.drop(record_id)

    def drop_all(self) -> int:
        dropped = 0
        while ids := self.redis.zrange(keys.dead_letter_index(), 0, _CHUNK - 1):
            dropped += self.drop(*(i.decode() for i in ids))
        return dropped

    def drop_older_than(self, seconds: float) -> int:
        """Drop the letters whose payload last came in more than `seconds` ago."""
        cutoff = time.time() - seconds
        dropped = 0
        while ids := self.redis.zrangebyscore(
            keys.dead_letter_last_seen(), "-inf", cutoff, start=0, num=_CHUNK
        ):
            dropped += self.drop(*(i.decode() for i in ids))
        return dropped

    def upgrade(self) -> int:
        """Index the letters an earlier Flare kept in a plain list (once: the list goes).
        Returns how many it indexed."""
        moved = 0
        legacy = keys.dead_letters()
        while ids := [i.decode() for i in self.redis.lrange(legacy, 0, _CHUNK - 1)]:
            fetch = self.redis.pipeline(transaction=False)
            for record_id in ids:
                fetch.hgetall(keys.dead_letter(record_id))
            pipe = self.redis.pipeline()
            for record_id, fields in zip(ids, fetch.execute(), strict=True):
                letter = _letter(record_id, fields)
                if letter is None:
                    continue
                kind, key = error_kind(letter.error), digest(letter.source, letter.raw)
                pipe.hset(
                    keys.dead_letter(record_id),
                    mapping={"digest": key, "kind": kind, "count": 1, "last_at": letter.at},
                )
                pipe.zadd(keys.dead_letter_index(), {record_id: int(record_id)})
                pipe.zadd(keys.dead_letter_last_seen(), {record_id: _epoch(letter.at)})
                pipe.hsetnx(keys.dead_letter_digests(), key, record_id)
                pipe.hincrby(keys.dead_letter_errors(), kind, 1)
                moved += 1
            pipe.ltrim(legacy, len(ids), -1)
            pipe.execute()
        return moved

    def _chunks(self) -> Iterator[list[str]]:
        start = 0
        while ids := self.redis.zrange(keys.dead_letter_index(), start, start + _CHUNK - 1):
            yield [i.decode() for i in ids]
            start += _CHUNK

    def _get_many(self, ids: list[str]) -> list[DeadLetter]:
        pipe = self.redis.pipeline(transaction=False)
        for record_id in ids:
            pipe.hgetall(keys.dead_letter(record_id))
        found = zip(ids, pipe.execute(), strict=True) if ids else []
        return [letter for record_id, raw in found if (letter := _letter(record_id, raw))]


def _letter(record_id: str, raw: dict[bytes, bytes]) -> DeadLetter | None:
    if not raw:
        return None
    f = {k.decode(): v.decode() for k, v in raw.items()}
    return DeadLetter(
        record_id,
        f["source"],
        f["where"],
        f["error"],
        base64.b64decode(f["raw"]),
        f["at"],
        int(f.get("count", 1)),
        f.get("last_at") or f["at"],
    )


def _epoch(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return time.time()
