"""The daily retention sweep: it reads FLARE_REPORTS__RETENTION_DAYS and schedules tomorrow's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import redis
from rq.registry import ScheduledJobRegistry

from cli import wiring
from flare.jobs import Job, job_id
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from flare.store import Store
from tests.builders import NOON, decision, mention
from workers import retention, runtime
from workers.runtime import Runtime


@pytest.fixture
def rt(tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis) -> Iterator[Runtime]:
    settings = Settings(
        redis_url=redis_server.url, data_dir=tmp_path / "data", reports={"retention_days": 30}
    )
    yield runtime.install(wiring.build_runtime(settings, redis_client, clock=lambda: NOON))


def test_the_sweep_deletes_what_is_past_the_retention_days_and_schedules_the_next(
    rt: Runtime, redis_client: redis.Redis
) -> None:
    store = Store(redis_client)
    for case_id, age in (("old", 31), ("recent", 29)):
        m = mention(case_id, created_at=NOON - timedelta(days=age))
        store.save(m, decision(m), NOON - timedelta(days=age))

    done = retention.expire_old("2026-11-20")

    assert done["cases"] == 1
    assert store.get("old") is None and store.get("recent") is not None
    registry = ScheduledJobRegistry(Job.EXPIRE_OLD.queue.value, connection=redis_client)
    when = registry.get_scheduled_time(job_id("expire", "2026-11-21"))
    assert when == datetime(2026, 11, 21, retention.SWEEP_HOUR, tzinfo=UTC)


def test_a_sweep_is_scheduled_once_per_day(redis_client: redis.Redis) -> None:
    day = retention.first_day(datetime(2026, 11, 20, 12, tzinfo=UTC))

    assert day == date(2026, 11, 21)
    assert retention.schedule(redis_client, day)
    assert not retention.schedule(redis_client, day)
