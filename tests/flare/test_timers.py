"""A case's timers in Redis: a timer fires once per token, a stale or stopped one never."""

from __future__ import annotations

from datetime import timedelta

import redis

from flare import keys
from flare.case import Case
from flare.store import Store
from flare.timers import BREACH, REMIND, Timers, step_name
from rules.decision import Action, Priority
from tests.builders import NOON, decision, mention


def armed(client: redis.Redis, now_minutes: float = 0) -> tuple[Timers, str, str]:
    """A P3 case posted at noon (due 12:30) with its timers armed; (timers, case id, token)."""
    m = mention(id="4001", created_at=NOON)
    d = decision(m, Action.RESPOND, Priority.P3)
    Store(client).save(m, d, NOON)
    timers = Timers(client, clock=lambda: NOON + timedelta(minutes=now_minutes))
    timers.arm(Case(mention=m, decision=d, stored_at=NOON))
    token = client.hget(keys.case_timers(m.id), "want:breach")
    assert token is not None
    return timers, m.id, token.decode()


def test_a_timer_fires_once_and_a_run_cut_short_may_finish(redis_client: redis.Redis) -> None:
    timers, case_id, token = armed(redis_client)

    assert timers.claim(case_id, BREACH, token) == "go"
    assert timers.claim(case_id, BREACH, token) == "resume"  # the same run, retried
    timers.done(case_id, BREACH, token)
    assert timers.claim(case_id, BREACH, token) == "done"
    assert timers.claim(case_id, BREACH, "an-old-token") == "stale"


def test_arming_twice_changes_nothing_and_restarting_makes_the_old_token_stale(
    redis_client: redis.Redis,
) -> None:
    timers, case_id, token = armed(redis_client)
    case = Store(redis_client).get(case_id)
    assert case is not None

    assert timers.arm(case) is None  # armed before
    assert timers.arm(case, restart=True) == NOON + timedelta(minutes=30)

    assert timers.claim(case_id, BREACH, token) == "stale"
    assert timers.remind_at(case_id) == NOON + timedelta(minutes=15)


def test_the_chain_stops_once_someone_acts_after_the_breach_not_before(
    redis_client: redis.Redis,
) -> None:
    timers, case_id, token = armed(redis_client)

    assert not timers.stop(case_id, "U0AGENT1")  # a claim before the target stops nothing
    assert timers.claim(case_id, BREACH, token) == "go"
    assert timers.stop(case_id, "U0LEAD")
    assert not timers.stop(case_id, "U0AGENT1")  # stopped once

    assert timers.claim(case_id, step_name(1), token) == "stopped"
    assert timers.stopped_by(case_id) == "U0LEAD"


def test_a_snooze_moves_the_reminder_or_drops_it_past_the_target(
    redis_client: redis.Redis,
) -> None:
    early, case_id, token = armed(redis_client, now_minutes=5)

    assert early.snooze(case_id) == ("ok", NOON + timedelta(minutes=20))
    assert early.claim(case_id, REMIND, token) == "stale"

    late = Timers(redis_client, clock=lambda: NOON + timedelta(minutes=16))
    assert late.snooze(case_id) == ("dropped", None)
    assert late.snooze(case_id) == ("none", None)


def test_a_lease_is_released_only_if_it_is_still_the_one_that_ended(
    redis_client: redis.Redis,
) -> None:
    timers, case_id, _ = armed(redis_client, now_minutes=31)
    store = Store(redis_client)
    store.claim(case_id, "U0AGENT1", timedelta(minutes=30), NOON)
    until = str(int((NOON + timedelta(minutes=30)).timestamp() * 1000))

    assert timers.lapse(case_id, "12345") is None  # another lease
    assert timers.lapse(case_id, until) == "U0AGENT1"
    assert timers.lapse(case_id, until) is None  # released already
