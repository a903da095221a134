"""The daily digest: the day's numbers and its chart in the leads' channel, once a day."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import matplotlib.image
import pytest
import redis
from pydantic import SecretStr
from rq.registry import ScheduledJobRegistry

from bot.slack_client import SlackError
from cli import wiring
from cli.standin import SlackStandIn
from flare.chart import PNG_SIGNATURE
from flare.jobs import Job, job_id
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from tests.conftest import SIGNING_SECRET
from tests.flare.test_report import script_a_day
from workers import digest, runtime
from workers.runtime import Runtime

DAY_AFTER = "2026-11-21"  # the digest of 08:00 on the 20th to 08:00 on the 21st


@pytest.fixture
def rt(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
) -> Iterator[Runtime]:
    settings = Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        slack={
            "bot_token": SecretStr("xoxb-test"),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.base_url,
            "alerts_channel": "C0ALERTS",
        },
        reports={"digest_channel": "C0LEADS", "digest_hour": 8},
    )
    yield runtime.install(wiring.build_runtime(settings, redis_client))


def posted_in(slack: SlackStandIn, channel: str) -> list[dict[str, object]]:
    return [m for (where, _), m in sorted(slack.messages.items()) if where == channel]


def test_the_digest_posts_the_days_numbers_and_a_chart_that_opens(
    rt: Runtime, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    script_a_day(redis_client)
    fake_slack.names["U0PR"] = "Pat Okafor"

    file_id = digest.daily_digest(DAY_AFTER)

    numbers, chart = posted_in(fake_slack, "C0LEADS")
    assert "*Breaches* 1 (P3 1)" in str(numbers["text"])
    assert "outage acknowledged by Pat Okafor in 7 min" in str(numbers["text"])
    assert "<@" not in str(numbers["text"])  # named, not mentioned: the digest pings nobody
    assert [f["id"] for f in chart["files"]] == [file_id]
    data = fake_slack.files[file_id]["data"]
    assert data.startswith(PNG_SIGNATURE)
    assert matplotlib.image.imread(io.BytesIO(data), format="png").shape[:2] == (650, 1000)
    upload = fake_slack.calls_to("files.completeUploadExternal")[0]
    assert upload.args["channel_id"] == "C0LEADS"


def test_a_second_run_of_the_same_day_posts_nothing(
    rt: Runtime, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    script_a_day(redis_client)
    digest.daily_digest(DAY_AFTER)

    assert digest.daily_digest(DAY_AFTER) == "posted before"

    assert len(posted_in(fake_slack, "C0LEADS")) == 2
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == 1


def test_a_chart_slack_did_not_take_is_shared_on_the_retry_without_the_numbers_twice(
    rt: Runtime, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    script_a_day(redis_client)
    fake_slack.fail("files.completeUploadExternal", status=500, error="internal_error")

    with pytest.raises(SlackError):
        digest.daily_digest(DAY_AFTER)
    digest.daily_digest(DAY_AFTER)

    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert len(fake_slack.files) == 1


def test_each_day_is_scheduled_once_and_each_digest_schedules_the_next(
    rt: Runtime, redis_client: redis.Redis
) -> None:
    first = digest.next_day(datetime(2026, 11, 20, 9, tzinfo=UTC), rt.settings)

    assert first == date(2026, 11, 21)  # 09:00 is past the 08:00 digest of the 20th
    assert digest.schedule(redis_client, rt.settings, first)
    assert not digest.schedule(redis_client, rt.settings, first)  # another lane starting
    digest.daily_digest(first.isoformat())

    registry = ScheduledJobRegistry(Job.DAILY_DIGEST.queue.value, connection=redis_client)
    assert job_id("digest", "2026-11-22") in registry.get_job_ids()
    when = registry.get_scheduled_time(job_id("digest", "2026-11-22"))
    assert when == datetime(2026, 11, 22, 8, tzinfo=UTC)
