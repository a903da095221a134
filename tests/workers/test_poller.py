"""The poller: a checkpoint that moves only once mentions are safe, and X's rate limits obeyed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from flare.redis_server import EmbeddedRedis
from tests.fakes.x_api import FakeX
from tests.workers.listening import listen_settings, queued_ids
from workers.batcher import Batcher
from workers.intake import Intake
from workers.poller import Checkpoint, Poller, later_id, next_poll_delay
from workers.x_client import RateLimit, XError, XRateLimited

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_ids_are_compared_as_numbers_not_text() -> None:
    assert later_id("999", "1000") == "1000"
    assert later_id(None, "5") == "5"


def test_the_poll_interval_stretches_to_the_rate_limit_reset() -> None:
    spent = RateLimit(450, 0, NOW + timedelta(seconds=300))

    assert next_poll_delay(60, RateLimit(450, 12, NOW), NOW) == 60
    assert next_poll_delay(60, spent, NOW) == 301
    assert (
        next_poll_delay(60, None, NOW, XRateLimited("mentions", NOW + timedelta(seconds=90))) == 91
    )
    assert next_poll_delay(60, None, NOW, XError("boom")) == 60


@pytest.fixture
def poller(fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis):  # type: ignore[no-untyped-def]
    from workers.x_client import XClient

    settings = listen_settings(fake_x, redis_server.url)
    batcher = Batcher.for_intake(Intake(redis_client), wait=0.01).start()
    x = XClient(settings.x, page_size=5)
    yield Poller(x, Checkpoint(redis_client, fake_x.brand_id), batcher, interval=None, min_gap=0)
    batcher.close()


def test_a_poll_queues_new_mentions_and_moves_the_checkpoint(
    fake_x: FakeX, redis_client: redis.Redis, poller: Poller
) -> None:
    first = fake_x.publish("@acme one")
    poller.poll_once()
    second = [fake_x.publish(f"@acme {n}") for n in range(7)]

    result = poller.poll_once()

    assert result.since_id == first["id"] and result.found == 7
    assert poller.checkpoint.get() == second[-1]["id"]
    assert set(queued_ids(redis_client)) == {p["id"] for p in [first, *second]}
    assert fake_x.requests_to("GET /2/users/:id/mentions")[-1].query["since_id"] == first["id"]


def test_a_poll_that_fails_midway_keeps_the_checkpoint_so_nothing_is_skipped(
    fake_x: FakeX, redis_client: redis.Redis, poller: Poller
) -> None:
    first = fake_x.publish("@acme one")
    poller.poll_once()
    later = [fake_x.publish(f"@acme {n}") for n in range(7)]
    fake_x.fail("GET /2/users/:id/mentions", 503, after=1)  # page two of two fails

    with pytest.raises(XError):
        poller.poll_once()
    assert poller.checkpoint.get() == first["id"]

    poller.poll_once()
    assert poller.checkpoint.get() == later[-1]["id"]
    assert set(queued_ids(redis_client)) == {p["id"] for p in [first, *later]}


def test_the_checkpoint_never_moves_back(redis_client: redis.Redis) -> None:
    checkpoint = Checkpoint(redis_client, "9001")

    checkpoint.advance("1000")
    checkpoint.advance("999")

    assert checkpoint.get() == "1000"


def test_a_backfill_request_polls_at_once(
    fake_x: FakeX, redis_client: redis.Redis, poller: Poller
) -> None:
    from tests.waiting import eventually

    poller.start()
    try:
        eventually(lambda: poller.polls == 1)
        post = fake_x.publish("@acme missed during a gap")
        poller.request_backfill()
        eventually(lambda: post["id"] in queued_ids(redis_client))
    finally:
        poller.stop()


def _polling(fake_x: FakeX, redis_server: EmbeddedRedis, client: redis.Redis) -> Poller:
    from workers.x_client import XClient

    settings = listen_settings(fake_x, redis_server.url)
    batcher = Batcher.for_intake(Intake(client), wait=0.01).start()
    x = XClient(settings.x, page_size=5)
    return Poller(x, Checkpoint(client, fake_x.brand_id), batcher, interval=0.05, min_gap=0)


def test_a_429_holds_polling_until_xs_reset_time(
    fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    import time

    from tests.waiting import eventually

    in_an_hour = str(int(time.time()) + 3600)
    fake_x.fail("GET /2/users/:id/mentions", 429, headers={"x-rate-limit-reset": in_an_hour})
    poller = _polling(fake_x, redis_server, redis_client).start()
    try:
        eventually(lambda: isinstance(poller.last_error, XRateLimited))
        time.sleep(0.5)  # ten intervals
    finally:
        poller.stop()
        poller.batcher.close()

    assert len(fake_x.requests_to("GET /2/users/:id/mentions")) == 1


def test_a_spent_rate_limit_window_stretches_the_interval(
    fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    import time

    from tests.waiting import eventually

    fake_x.rate_limit("GET /2/users/:id/mentions", remaining=1)  # the next answer says 0 left
    poller = _polling(fake_x, redis_server, redis_client).start()
    try:
        eventually(lambda: poller.polls == 1)
        time.sleep(0.5)  # ten intervals
    finally:
        poller.stop()
        poller.batcher.close()

    [only] = fake_x.requests_to("GET /2/users/:id/mentions")
    assert poller.x.rate_limits["mentions"].remaining == 0
    assert only.query.get("since_id") is None
