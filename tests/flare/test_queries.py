"""Read-only views over Redis: the queue by priority, what is due or overdue, claims, incidents."""

from __future__ import annotations

from datetime import timedelta

import redis

from flare import keys
from flare.incidents import Incidents
from flare.queries import Queries
from flare.store import Store
from rules.decision import Action, Priority
from tests.builders import NOON, decision, mention


def _case(store: Store, id: str, priority: Priority = Priority.P3, due_in: float = 30) -> str:
    """Save a case created at NOON whose response target is `due_in` minutes after NOON."""
    m = mention(id)
    store.save(m, decision(m, priority=priority, due=NOON + timedelta(minutes=due_in)))
    return m.id


def _open_incident(client: redis.Redis, topic: str, case_ids: list[str]) -> None:
    """Open an incident as the workers do (joining it indexes its topic)."""
    for case_id in case_ids:
        Incidents(client).join(topic, case_id, NOON)


def test_open_cases_are_grouped_by_priority_soonest_due_first(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    _case(store, "p3-late", Priority.P3, due_in=50)
    _case(store, "p1", Priority.P1, due_in=10)
    _case(store, "p3-early", Priority.P3, due_in=20)

    grouped = Queries(redis_client).open_by_priority()

    assert list(grouped) == [Priority.P1, Priority.P2, Priority.P3, Priority.P4]
    assert [c.id for c in grouped[Priority.P1]] == ["p1"]
    assert grouped[Priority.P2] == []
    assert [c.id for c in grouped[Priority.P3]] == ["p3-early", "p3-late"]


def test_resolved_and_ignored_cases_are_not_in_the_queue(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    _case(store, "open")
    store.close(_case(store, "resolved"), "U1")
    m = mention("ignored")
    store.save(m, decision(m, Action.IGNORE))

    grouped = Queries(redis_client).open_by_priority()

    assert [c.id for cases in grouped.values() for c in cases] == ["open"]


def test_due_soon_holds_only_cases_whose_target_falls_inside_the_window(
    redis_client: redis.Redis,
) -> None:
    store = Store(redis_client)
    _case(store, "overdue", due_in=-5)
    _case(store, "in-10", due_in=10)
    _case(store, "in-15", due_in=15)
    _case(store, "in-40", due_in=40)

    soon = Queries(redis_client).due_soon(NOON, within=timedelta(minutes=15))

    assert [c.id for c in soon] == ["in-10", "in-15"]


def test_breached_lists_cases_past_their_target_most_overdue_first(
    redis_client: redis.Redis,
) -> None:
    store = Store(redis_client)
    _case(store, "late-5", due_in=-5)
    _case(store, "late-60", due_in=-60)
    _case(store, "in-10", due_in=10)
    store.close(_case(store, "late-but-resolved", due_in=-90), "U1")

    assert [c.id for c in Queries(redis_client).breached(NOON)] == ["late-60", "late-5"]


def test_claimed_by_lists_only_the_callers_held_cases(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    store.claim(_case(store, "mine-later", due_in=40), "U0ME")
    store.claim(_case(store, "mine-sooner", due_in=10), "U0ME")
    store.claim(_case(store, "theirs"), "U0THEM")
    _case(store, "unclaimed")
    store.claim(_case(store, "released"), "U0ME")
    store.release("released", "U0ME")

    mine = Queries(redis_client).claimed_by("U0ME")

    assert [c.id for c in mine] == ["mine-sooner", "mine-later"]
    assert {c.claimed_by for c in mine} == {"U0ME"}


def test_an_expired_claim_no_longer_counts_as_held(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    case_id = _case(store, "lapsed")
    store.claim(case_id, "U0ME", now=NOON - timedelta(days=365))  # its lease ran out long ago
    redis_client.delete(keys.claim(case_id))  # and its key expired with it

    assert Queries(redis_client).claimed_by("U0ME") == []


def test_incidents_are_read_from_the_index_biggest_first(redis_client: redis.Redis) -> None:
    _open_incident(redis_client, "outage", ["a", "b", "c"])
    _open_incident(redis_client, "billing", ["d"])

    found = Queries(redis_client).incidents()

    assert [(i.topic, i.count) for i in found] == [("outage", 3), ("billing", 1)]
    assert found[0].recent == ("c", "b", "a")
    assert found[0].opened_at == NOON


def test_an_indexed_topic_without_an_incident_is_skipped(redis_client: redis.Redis) -> None:
    redis_client.sadd(keys.incidents_open(), "closed-topic")

    assert Queries(redis_client).incidents() == []


def test_an_empty_redis_gives_empty_views(redis_client: redis.Redis) -> None:
    queries = Queries(redis_client)

    assert all(cases == [] for cases in queries.open_by_priority().values())
    assert queries.due_soon(NOON) == []
    assert queries.breached(NOON) == []
    assert queries.claimed_by("U0ME") == []
    assert queries.incidents() == []
