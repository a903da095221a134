"""What only a person can fix, counted once per kind and channel, however many workers meet it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import redis

from flare import problems

ADVICE = "invite the app to C0PR (/invite @Flare in the channel)"
AT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def test_the_first_meeting_is_said_and_the_later_ones_counted(redis_client: redis.Redis) -> None:
    assert problems.record(redis_client, "not_in_channel", "C0PR", ADVICE, AT)
    assert not problems.record(redis_client, "not_in_channel", "C0PR", ADVICE, AT + timedelta(1))

    [problem] = problems.known(redis_client)
    assert (problem.key, problem.times) == ("not_in_channel C0PR", 2)
    assert (problem.first, problem.last) == (AT.isoformat(), (AT + timedelta(1)).isoformat())


def test_workers_meeting_it_at_once_lose_no_count_and_one_says_it(
    redis_client: redis.Redis,
) -> None:
    def meet(n: int) -> bool:
        client = redis.Redis(connection_pool=redis_client.connection_pool)
        return problems.record(client, "not_in_channel", "C0PR", ADVICE, AT + timedelta(0, n))

    with ThreadPoolExecutor(max_workers=8) as pool:
        said = list(pool.map(meet, range(200)))

    [problem] = problems.known(redis_client)
    assert sum(said) == 1 and problem.times == 200
