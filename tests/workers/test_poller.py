"""The poller: a checkpoint that moves only once mentions are safe, and X's rate limits obeyed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from flare.redis_server import EmbeddedRedis
from tests.fakes.x_api import FakeX
from tests.waiting import eventually
from tests.workers.listening import listen_settings, queued_ids
from workers.batcher import Batcher
from workers.intake import Intake
from workers.poller import Checkpoint, Poller, later_id, next_poll_delay
from workers.x_client import RateLimit, XClient, XError, XRateLimited

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
def poller(
    fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> Iterator[Poller]:
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
    poller.start()
    try:
        eventually(lambda: poller.polls == 1)
        post = fake_x.publish("@acme missed during a gap")
        poller.request_backfill()
        eventually(lambda: post["id"] in queued_ids(redis_client))
    finally:
        poller.stop()


def _polling(fake_x: FakeX, redis_server: EmbeddedRedis, client: redis.Redis) -> Poller:
    """A periodic poller (every 0.05 s), not started: each test drives it by hand."""
    settings = listen_settings(fake_x, redis_server.url)
    batcher = Batcher.for_intake(Intake(client), wait=0.01).start()
    x = XClient(settings.x, page_size=5)
    return Poller(x, Checkpoint(client, fake_x.brand_id), batcher, interval=0.05, min_gap=0)


def test_a_429_holds_polling_until_xs_reset_time(
    fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    in_an_hour = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    reset = str(int(in_an_hour.timestamp()))
    fake_x.fail("GET /2/users/:id/mentions", 429, headers={"x-rate-limit-reset": reset})
    poller = _polling(fake_x, redis_server, redis_client)
    poller.clock = lambda: in_an_hour - timedelta(hours=1)
    try:
        with pytest.raises(XRateLimited) as limited:
            poller.poll_once()
    finally:
        poller.batcher.close()

    # neither the 0.05 s interval nor a backfill request polls before X's reset
    assert poller.waits_after(limited.value) == (3601, 3601)


def test_a_spent_rate_limit_window_stretches_the_interval(
    fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    fake_x.rate_limit("GET /2/users/:id/mentions", remaining=1)  # the next answer says 0 left
    poller = _polling(fake_x, redis_server, redis_client)
    try:
        poller.poll_once()
    finally:
        poller.batcher.close()

    assert poller.x.rate_limits["mentions"].remaining == 0
    hold, wait = poller.waits_after(None)
    assert hold == 0  # a backfill request may still poll
    assert 890 < wait <= 901  # the fake's window resets 900 s after its answer, not in 0.05 s
