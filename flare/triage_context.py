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


def _trims(author_id: str, at: float) -> bool:
    """Whether this save also trims the author's history: one minute in TRIM_ONE_IN, picked by a
    hash of the author and the minute. Reads only look inside the window, and the key expires
    once the author falls quiet, so old posts need not go on every write: an author who keeps
    posting has the stragglers cut within a few minutes, at a fraction of the round trips."""
    return zlib.crc32(f"{author_id}:{int(at // 60)}".encode()) % TRIM_ONE_IN == 0


class RedisContext:
    """`rules.context.Context` over Redis: one round trip to load a batch, two or three to save it.

    Author history is a sorted set of post ids (ZADD: a retried batch adds nothing twice),
    trimmed to the window now and then (`_trims`).
    A topic's spike state is one JSON string; saving re-applies the batch's topic events to the
    stored state under WATCH, so concurrent workers never lose each other's counts, and each
    mention is counted once (a SET NX mark per mention).
    """

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def load(
        self, author_ids: Collection[str], topics: Collection[str], since: datetime
    ) -> Snapshot:
        authors = list(author_ids)
        topic_list = list(topics)
        start = since.timestamp()
        pipe = self.redis.pipeline(transaction=False)
        for author_id in authors:
            pipe.zrangebyscore(keys.author_events(author_id), start, "+inf", withscores=True)
        for topic in topic_list:
            pipe.get(keys.spike_state(topic))
        results = pipe.execute()
        snap = Snapshot()
        for author_id, events in zip(authors, results[: len(authors)], strict=True):
            if not events:
                continue
            history = AuthorHistory()
            for member, score in events:
                history.posts.append(float(score))
                if member.startswith(b"a:"):
                    history.abuse.append(float(score))
            snap.authors[author_id] = history
        for topic, raw in zip(topic_list, results[len(authors) :], strict=True):
            if raw:
                snap.spikes[topic] = SpikeState.from_dict(json.loads(raw))
        return snap

    def save(self, changes: Changes) -> None:
        keep = changes.keep.total_seconds()
        pipe = self.redis.pipeline(transaction=False)
        newest: dict[str, float] = {}
        for post in changes.posts:
            member = f"{'a' if post.abusive else 'p'}:{post.mention_id}"
            pipe.zadd(keys.author_events(post.author_id), {member: post.at})
            newest[post.author_id] = max(newest.get(post.author_id, 0.0), post.at)
        for author_id, at in newest.items():
            key = keys.author_events(author_id)
            pipe.expire(key, int(keep) + 3600)
            if _trims(author_id, at):
                pipe.zremrangebyscore(key, "-inf", at - keep)
                pipe.zremrangebyrank(key, 0, -MAX_EVENTS - 1)
        ttl = int(COUNTED_TTL.total_seconds())
        for event in changes.topics:
            pipe.set(keys.topic_counted(event.mention_id), 1, nx=True, ex=ttl)
        results = pipe.execute()
        marks = results[len(results) - len(changes.topics) :] if changes.topics else []
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
