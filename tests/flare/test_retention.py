"""Retention: what is past its time goes, and one person's data goes whole when they ask."""

from __future__ import annotations

from datetime import timedelta

import redis

from flare import keys
from flare.audit import Audit
from flare.dlq import DeadLetters
from flare.retention import Retention
from flare.store import Store
from tests.builders import NOON, decision, mention

OLD = NOON - timedelta(days=100)


def test_cases_and_audit_entries_older_than_the_cutoff_go_and_the_rest_stay(
    redis_client: redis.Redis,
) -> None:
    store, audit, letters = Store(redis_client), Audit(redis_client), DeadLetters(redis_client)
    for case_id, stored in (("old", OLD), ("new", NOON)):
        m = mention(case_id, created_at=stored)
        store.save(m, decision(m), stored)
        audit.record(case_id, "U1", "claim", at=stored)
    old_letter = letters.push(b"{broken", "webhook", "POST /intake", "not JSON")
    redis_client.hset(keys.dead_letter(old_letter.id), "at", OLD.isoformat())
    letters.push(b"{also broken", "webhook", "POST /intake", "not JSON")
    redis_client.zadd(keys.missed(), {"old": OLD.timestamp()})  # listed by `flare missed`
    redis_client.hset(keys.case_timers("old"), "due", "x")

    removed = Retention(redis_client).expire(NOON - timedelta(days=90))

    assert (removed.cases, removed.audit_entries, removed.dead_letters) == (1, 1, 1)
    assert store.get("old") is None and audit.of_case("old") == []
    assert store.get("new") is not None and len(audit.of_case("new")) == 1
    assert [e.case for e in audit.recent(10)] == ["new"]
    assert redis_client.zrange(keys.cases_by_stored(), 0, -1) == [b"new"]
    assert len(letters.ids()) == 1
    assert redis_client.zscore(keys.missed(), "old") is None
    assert redis_client.exists(keys.case_timers("old")) == 0


def test_forgetting_an_author_removes_their_cases_posts_history_audit_and_dead_letters(
    redis_client: redis.Redis,
) -> None:
    store, audit, letters = Store(redis_client), Audit(redis_client), DeadLetters(redis_client)
    theirs = mention("d1", username="dana")
    other = mention("o1", username="omar", conversation_id="o1")
    for m in (theirs, other):
        store.save(m, decision(m), NOON)
    store.set_card("d1", "C0ALERTS", "1700000000.000100")
    later = mention("d2", username="dana", conversation_id="o1")
    store.add_follow_up("o1", later, decision(later))
    store.claim("d1", "U1")
    audit.record("o1", "flare", "follow-up", post="d2")
    audit.record("o1", "U1", "claim")
    redis_client.zadd(keys.author_events("u-dana"), {"p:d1": NOON.timestamp()})  # as triage
    letters.push(b'{"data": {"author_id": "u-dana"}}', "x_stream", "stream", "broken")
    letters.push(b'{"data": {"author_id": "u-omar"}}', "x_stream", "stream", "broken")

    removed = Retention(redis_client).forget("@Dana")

    assert (removed.cases, removed.follow_ups, removed.dead_letters) == (1, 1, 1)
    assert removed.audit_entries == 2  # the claim of d1, the follow-up naming d2
    assert removed.author_histories == 1
    assert removed.cards_left_in_chat == ["C0ALERTS 1700000000.000100"]
    assert store.get("d1") is None and audit.of_case("d1") == []
    kept = store.get("o1")
    assert kept is not None and kept.follow_ups == ()
    assert [e.what for e in audit.recent(10)] == ["claim"]  # U1's claim of omar's case
    assert not redis_client.exists(keys.thread("d2"), keys.claim("d1"), keys.card("d1"))
    assert len(letters.ids()) == 1
    assert redis_client.zscore(keys.missed(), "old") is None
    assert redis_client.exists(keys.case_timers("old")) == 0


def test_forgetting_someone_unknown_removes_nothing(redis_client: redis.Redis) -> None:
    m = mention("o1", username="omar")
    Store(redis_client).save(m, decision(m), NOON)

    removed = Retention(redis_client).forget("nobody")

    assert not removed.anything
    assert Store(redis_client).get("o1") is not None
