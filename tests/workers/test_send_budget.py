"""The shared send budget: one message a second per channel, Retry-After respected by all."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis

from rules.decision import Priority
from tests.builders import NOON
from workers.send_budget import PendingSend, SendBudget, most_urgent_first

T0 = 1_790_000_000_000  # an arbitrary epoch ms; every test injects its own clock readings


def test_two_workers_sharing_a_channel_get_one_slot_per_second(
    redis_client: redis.Redis,
) -> None:
    worker_a, worker_b = SendBudget(redis_client), SendBudget(redis_client)

    assert worker_a.try_acquire("C0ALERTS", T0) == 0
    assert worker_b.try_acquire("C0ALERTS", T0) == 1.0
    assert worker_b.try_acquire("C0ALERTS", T0 + 400) == 0.6
    assert worker_b.try_acquire("C0ALERTS", T0 + 1000) == 0
    assert worker_a.try_acquire("C0ALERTS", T0 + 1000) == 1.0


def test_over_ten_seconds_of_attempts_only_ten_slots_are_given(redis_client: redis.Redis) -> None:
    workers = [SendBudget(redis_client) for _ in range(3)]

    taken = [
        t for t in range(T0, T0 + 10_000, 100) for w in workers if w.try_acquire("C0ALERTS", t) == 0
    ]

    assert taken == [T0 + 1000 * n for n in range(10)]


def test_a_faster_budget_gives_shorter_slots(redis_client: redis.Redis) -> None:
    budget = SendBudget(redis_client, per_second=4)

    assert budget.try_acquire("C0ALERTS", T0) == 0
    assert budget.try_acquire("C0ALERTS", T0 + 100) == 0.15
    assert budget.try_acquire("C0ALERTS", T0 + 250) == 0


def test_a_retry_after_holds_the_channel_for_every_worker_until_its_time(
    redis_client: redis.Redis,
) -> None:
    hit_the_429, other_worker = SendBudget(redis_client), SendBudget(redis_client)

    until = hit_the_429.backoff("C0PR", retry_after_seconds=30, now_ms=T0)

    assert until == T0 + 30_000
    assert other_worker.try_acquire("C0PR", T0 + 5_000) == 25.0
    assert other_worker.try_acquire("C0PR", T0 + 29_999) == 0.001
    assert other_worker.try_acquire("C0PR", T0 + 30_000) == 0


def test_a_shorter_retry_after_does_not_cut_a_longer_hold(redis_client: redis.Redis) -> None:
    budget = SendBudget(redis_client)
    budget.backoff("C0PR", 30, now_ms=T0)

    assert budget.backoff("C0PR", 1, now_ms=T0 + 1_000) == T0 + 30_000
    assert budget.try_acquire("C0PR", T0 + 2_000) == 28.0


def test_other_channels_are_unaffected_by_a_busy_or_held_channel(
    redis_client: redis.Redis,
) -> None:
    budget = SendBudget(redis_client)
    budget.try_acquire("C0ALERTS", T0)
    budget.backoff("C0PR", 60, now_ms=T0)

    assert budget.try_acquire("C0OTHER", T0) == 0
    assert budget.try_acquire("C0ALERTS", T0) == 1.0
    assert budget.try_acquire("C0PR", T0) == 60.0


def test_a_budget_of_zero_per_second_is_refused(redis_client: redis.Redis) -> None:
    with pytest.raises(ValueError, match="per_second"):
        SendBudget(redis_client, per_second=0)


def test_the_most_urgent_pending_sends_go_first() -> None:
    def pending(case_id: str, priority: Priority | None, due_in: float | None) -> PendingSend:
        due = NOON + timedelta(minutes=due_in) if due_in is not None else None
        return PendingSend(case_id, priority, due)

    queue = [
        pending("p3-soon", Priority.P3, 5),
        pending("unranked", None, 1),
        pending("p1-later", Priority.P1, 30),
        pending("p3-no-target", Priority.P3, None),
        pending("p1-sooner", Priority.P1, 10),
        pending("p2", Priority.P2, 60),
    ]

    order = [p.case_id for p in most_urgent_first(queue)]

    assert order == ["p1-sooner", "p1-later", "p2", "p3-soon", "p3-no-target", "unranked"]
