"""The store: cases saved once, claims that only one person can hold, and an audit of it all."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import redis

from flare import keys
from flare.case import CaseState
from flare.store import NewCase, Store
from rules.decision import Action
from tests.builders import NOON, decision, mention
from tests.waiting import eventually


def test_a_case_is_stored_once_however_often_it_is_saved(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    m = mention()

    assert store.save(m, decision(m), NOON) is True
    assert store.save(m, decision(m, Action.IGNORE), NOON) is False

    case = store.get(m.id)
    assert case is not None
    assert case.decision.action is Action.RESPOND
    assert case.state is CaseState.OPEN
    assert store.stats()["mentions"] == 1


def test_an_ignored_mention_is_stored_as_ignored(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    m = mention(text="@acme you are all clowns")
    store.save(m, decision(m, Action.IGNORE, due=None), NOON)

    case = store.get(m.id)
    assert case is not None and case.state is CaseState.IGNORED


def test_only_one_of_two_agents_racing_for_a_claim_gets_it(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    m = mention()
    store.save(m, decision(m), NOON)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda user: store.claim(m.id, user), ["U1", "U2"]))

    winners = [r for r in results if r.ok]
    losers = [r for r in results if not r.ok]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].reason == "held" and losers[0].holder == winners[0].holder


def test_a_lead_taking_over_while_someone_else_claims_leaves_the_lead_holding_it(
    redis_client: redis.Redis,
) -> None:
    store = Store(redis_client)
    m = mention()
    store.save(m, decision(m), NOON)
    store.claim(m.id, "U1")

    with ThreadPoolExecutor(2) as pool:
        taken = pool.submit(store.take_over, m.id, "ULEAD")
        pool.submit(store.claim, m.id, "U2")  # a third person racing the take-over

    assert taken.result().ok
    case = store.get(m.id)
    assert case is not None and case.claimed_by == "ULEAD"
    assert redis_client.get(keys.claim(m.id)) == b"ULEAD"
    [over] = [e for e in store.trail.of_case(m.id) if e.what == "take-over"]
    assert over.detail["previous"] == "U1"


def test_a_claim_shows_who_holds_it_and_until_when(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    m = mention()
    store.save(m, decision(m), NOON)

    store.claim(m.id, "U1", lease=timedelta(minutes=20))

    case = store.get(m.id)
    assert case is not None
    assert case.state is CaseState.CLAIMED and case.claimed_by == "U1"
    assert case.claim_until is not None


def test_only_the_holder_may_release_and_then_anyone_may_claim(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    m = mention()
    store.save(m, decision(m), NOON)
    store.claim(m.id, "U1")

    assert store.release(m.id, "U2").reason == "held"
    assert store.release(m.id, "U1").ok
    assert store.claim(m.id, "U2").ok


def test_a_resolved_case_cannot_be_claimed_until_reopened(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    m = mention()
    store.save(m, decision(m), NOON)
    store.claim(m.id, "U1")
    assert store.close(m.id, "U1").ok

    refused = store.claim(m.id, "U2")
    assert not refused.ok and refused.reason == "closed"

    assert store.reopen(m.id, "U2").ok
    assert store.claim(m.id, "U2").ok


def test_every_action_on_a_case_is_audited(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    m = mention()
    store.save(m, decision(m), NOON)
    store.claim(m.id, "U1")
    store.close(m.id, "U1")

    trail = [(entry.who, entry.what) for entry in store.trail.of_case(m.id)]
    assert trail == [("U1", "claim"), ("U1", "resolve")]


def test_an_expired_lease_leaves_the_case_open(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    m = mention()
    store.save(m, decision(m), NOON)
    store.claim(m.id, "U1", lease=timedelta(milliseconds=1), now=NOON - timedelta(days=1))

    case = eventually(  # once its key has expired, a millisecond on
        lambda: (found := store.get(m.id)) is not None and found.claimed_by is None and found
    )
    assert case.state is CaseState.OPEN and case.claimed_by is None
    assert store.claim(m.id, "U2").ok


def test_a_batch_is_stored_whole_each_case_once(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    first, second = mention("2001"), mention("2002", text="@acme thanks, all sorted")
    batch = [
        NewCase(first, decision(first)),
        NewCase(second, decision(second, Action.IGNORE, due=None)),
    ]

    assert store.save_many(batch, NOON) == [True, True]
    assert store.save_many(batch, NOON) == [False, False]

    assert [c.state for c in store.get_many(["2001", "2002"])] == [
        CaseState.OPEN,
        CaseState.IGNORED,
    ]
    assert store.threads_of([mention("2003", conversation_id="2001")]) == {"2003": "2001"}
    assert redis_client.zscore(keys.cases_by_due(), "2001") is not None
    assert redis_client.zscore(keys.cases_by_due(), "2002") is None
    assert store.stats() == {"mentions": 2, "action:respond": 1, "action:ignore": 1}


def test_a_case_linked_to_an_earlier_one_takes_its_conversation(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    old, new = mention("3001"), mention("3002", conversation_id="3001")
    store.save(old, decision(old), NOON)

    assert store.save_many([NewCase(new, decision(new), linked_to="3001")], NOON) == [True]

    assert redis_client.get(keys.thread("3001")) == b"3002"
    assert redis_client.hget(keys.case("3002"), "linked_to") == b"3001"
