"""The triage engine's context kept in Redis: author history and per-topic spike state."""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta

import redis

from flare import keys
from rules.context import AuthorHistory, Changes, Snapshot
from rules.playbook import SpikeSettings
from rules.spike import ALL_TOPICS, SpikeState, count_traffic, observe

COUNTED_TTL = timedelta(days=3)
MAX_EVENTS = 500  # per author: enough for flood and harassment windows
SAVE_RETRIES = 8
TRIM_ONE_IN = 8  # author histories trimmed on about one save in eight (see `_trims`)


# A batch's context in one call: each author's posts from `since` on, and each topic's state.
# KEYS: the authors' history keys, then the topics' spike state keys.
# ARGV: how many authors, since (epoch seconds).
# Returns {per author [member, score, ...]}, {per topic its state JSON or false}.
_LOAD = """
local authors, since = tonumber(ARGV[1]), ARGV[2]
local histories, states = {}, {}
for i = 1, authors do
  histories[i] = redis.call('ZRANGEBYSCORE', KEYS[i], since, '+inf', 'WITHSCORES')
end
for i = authors + 1, #KEYS do
  states[#states + 1] = redis.call('GET', KEYS[i])
end
return {histories, states}
"""

# A batch's posts into their authors' histories, and a mark for each topic event counted.
# KEYS: the history key of each author with posts, then each topic event's counted mark.
# ARGV: how many authors, history TTL, mark TTL (seconds), most posts kept per author, then per
#   author: how many posts, the score below which to trim ('' for no trim this time), and a
#   score and member per post.
# Returns per topic event 1 if it is counted now, 0 if it was before.
_SAVE = """
local authors, at = tonumber(ARGV[1]), 5
for i = 1, authors do
  local posts, trim = tonumber(ARGV[at]), ARGV[at + 1]
  at = at + 2
  for _ = 1, posts do
    redis.call('ZADD', KEYS[i], ARGV[at], ARGV[at + 1])
    at = at + 2
  end
  redis.call('EXPIRE', KEYS[i], ARGV[2])
  if trim ~= '' then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', trim)
    redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -tonumber(ARGV[4]) - 1)
  end
end
local counted = {}
for i = authors + 1, #KEYS do
  counted[#counted + 1] = redis.call('SET', KEYS[i], 1, 'NX', 'EX', ARGV[3]) and 1 or 0
end
return counted
"""


def _trims(author_id: str, at: float) -> bool:
    """Whether this save also trims the author's history: one minute in TRIM_ONE_IN, picked by a
    hash of the author and the minute. Reads only look inside the window, and the key expires
    once the author falls quiet, so old posts need not go on every write: an author who keeps
    posting has the stragglers cut within a few minutes, at a fraction of the round trips."""
    return zlib.crc32(f"{author_id}:{int(at // 60)}".encode()) % TRIM_ONE_IN == 0


class RedisContext:
    """`rules.context.Context` over Redis: one Lua call to load a batch, one to save its posts and
    marks, and a few to fold its topic events into the spike states.

    Author history is a sorted set of post ids (ZADD: a retried batch adds nothing twice),
    trimmed to the window now and then (`_trims`).
    A topic's spike state is one JSON string; saving re-applies the batch's topic events to the
    stored state under WATCH, so concurrent workers never lose each other's counts, and each
    mention is counted once (a SET NX mark per mention).
    """

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._load = client.register_script(_LOAD)
        self._save = client.register_script(_SAVE)

    def load(
        self, author_ids: Collection[str], topics: Collection[str], since: datetime
    ) -> Snapshot:
        authors = list(author_ids)
        topic_list = list(topics)
        author_keys = [keys.author_events(a) for a in authors]
        spike_keys = [keys.spike_state(t) for t in topic_list]
        found = self._load(keys=[*author_keys, *spike_keys], args=[len(authors), since.timestamp()])
        histories, states = found
        snap = Snapshot()
        for author_id, events in zip(authors, histories, strict=True):
            if not events:
                continue
            history = AuthorHistory()
            for member, score in zip(events[::2], events[1::2], strict=True):
                history.posts.append(float(score))
                if member.startswith(b"a:"):
                    history.abuse.append(float(score))
            snap.authors[author_id] = history
        for topic, raw in zip(topic_list, states, strict=True):
            if raw:
                snap.spikes[topic] = SpikeState.from_dict(json.loads(raw))
        return snap

    def save(self, changes: Changes) -> None:
        keep = changes.keep.total_seconds()
        posts: dict[str, list[str | float]] = defaultdict(list)
        newest: dict[str, float] = {}
        for post in changes.posts:
            posts[post.author_id] += [post.at, f"{'a' if post.abusive else 'p'}:{post.mention_id}"]
            newest[post.author_id] = max(newest.get(post.author_id, 0.0), post.at)
        ttl = int(COUNTED_TTL.total_seconds())
        argv: list[str | float] = [len(posts), int(keep) + 3600, ttl, MAX_EVENTS]
        for author_id, pairs in posts.items():
            at = newest[author_id]
            argv += [len(pairs) // 2, at - keep if _trims(author_id, at) else "", *pairs]
        author_keys = [keys.author_events(a) for a in posts]
        marks_keys = [keys.topic_counted(e.mention_id) for e in changes.topics]
        marks = (
            self._save(keys=[*author_keys, *marks_keys], args=argv) if posts or marks_keys else []
        )
        fresh: dict[str, list[int]] = defaultdict(list)
        for event, marked in zip(changes.topics, marks, strict=True):
            if marked:  # counted once, into its topic and into all the traffic
                fresh[ALL_TOPICS].append(event.minute)
                fresh[event.topic].append(event.minute)
        if fresh:
            self._apply_topics(fresh, changes.spike)

    def _apply_topics(self, fresh: dict[str, list[int]], settings: SpikeSettings) -> None:
        """Fold the batch's topic events into the stored states, optimistically (WATCH)."""
        spike_keys = [keys.spike_state(t) for t in fresh]
        ttl = int(
            max(
                timedelta(days=7), timedelta(minutes=settings.half_life_minutes * 10)
            ).total_seconds()
        )
        for _ in range(SAVE_RETRIES):
            with self.redis.pipeline() as pipe:
                try:
                    pipe.watch(*spike_keys)
                    raws = pipe.mget(spike_keys)
                    loaded = {
                        topic: SpikeState.from_dict(json.loads(raw)) if raw else SpikeState()
                        for topic, raw in zip(fresh, raws, strict=True)
                    }
                    overall = loaded.get(ALL_TOPICS)
                    # all the traffic first: each topic is weighed against it, as the engine did
                    for topic in sorted(loaded, key=lambda t: t != ALL_TOPICS):
                        for minute in sorted(fresh[topic]):
                            if topic == ALL_TOPICS:
                                count_traffic(loaded[topic], settings, minute)
                            else:
                                observe(loaded[topic], settings, minute, overall=overall)
                    states = list(loaded.values())
                    pipe.multi()
                    for key, state in zip(spike_keys, states, strict=True):
                        pipe.set(key, json.dumps(state.to_dict()), ex=ttl)
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue
        raise RuntimeError(f"spike state kept changing under us: {sorted(fresh)}")
