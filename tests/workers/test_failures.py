"""A job Slack refuses: one line, not a traceback; what no retry can cure is not retried but said
once with what to do, and kept for `flare doctor`. Each line names the job and its case."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from prometheus_client import generate_latest
from prometheus_client.registry import CollectorRegistry
from pydantic import SecretStr
from rq.registry import FailedJobRegistry

from cli import wiring
from cli.standin import SlackStandIn
from cli.worker import run_until_done, run_workers
from flare import logs, metrics, problems
from flare.defaults import CHAT_RETRY
from flare.jobs import Job, enqueue
from flare.queues import QueueName, queue
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from rules.decision import Action, Priority
from tests.builders import NOON, decision, mention
from tests.conftest import SIGNING_SECRET
from workers import runtime
from workers.runtime import Runtime


@pytest.fixture
def rt(
    tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> Iterator[Runtime]:
    settings = Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        slack={
            "bot_token": SecretStr("xoxb-test"),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.base_url,
            "alerts_channel": "#social-care",
            "send_per_second": 100,
        },
    )
    yield runtime.install(wiring.build_runtime(settings, redis_client))


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the worker logs, as JSON lines."""
    out = io.StringIO()
    logs.setup("INFO", "json", stream=out)
    yield out
    logs.setup("WARNING")


def a_card(rt: Runtime, id: str) -> None:
    m = mention(id=id)
    rt.store.save(m, decision(m, Action.PRIORITY, Priority.P3), NOON)
    enqueue(rt.redis, Job.NOTIFY_CASE, id, retry=CHAT_RETRY)


def logged(out: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_card_for_a_channel_the_app_is_not_in_is_tried_once_and_said_once_with_the_fix(
    rt: Runtime, fake_slack: SlackStandIn, lines: io.StringIO
) -> None:
    fake_slack.fail("chat.postMessage", error="not_in_channel", times=10)
    a_card(rt, "1001")
    a_card(rt, "1002")

    run_until_done(rt.redis)  # the second may wait a slot of the channel's budget

    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # one each, no retries
    assert FailedJobRegistry(queue=queue(rt.redis, QueueName.NOTIFY)).count == 2
    said = logged(lines)
    errors = [line for line in said if line["level"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["message"] == (
        "notify_case: Slack refused chat.postMessage in #social-care: not_in_channel; invite "
        "the app to #social-care (/invite @Flare in the channel) (see `flare doctor`)"
    )
    assert errors[0]["case"] == errors[0]["mention"] == "1001"
    assert errors[0]["job"] == "notify_case"
    assert "Traceback" not in lines.getvalue()
    [kept] = problems.known(rt.redis)
    assert (kept.code, kept.channel, kept.times) == ("not_in_channel", "#social-care", 2)
    registry = CollectorRegistry()
    metrics.install(rt.redis, lambda: NOON, registry)
    scraped = generate_latest(registry).decode()
    assert 'flare_slack_problems{channel="#social-care",error="not_in_channel"} 2.0' in scraped


def test_a_refusal_a_retry_may_cure_is_one_line_and_tried_again(
    rt: Runtime, fake_slack: SlackStandIn, lines: io.StringIO
) -> None:
    fake_slack.fail("chat.postMessage", error="invalid_blocks")
    a_card(rt, "1001")

    run_workers(rt.redis, burst=True, fork=False)

    [line] = [line for line in logged(lines) if line["level"] != "INFO"]
    assert line["message"] == (
        "notify_case: Slack refused chat.postMessage in #social-care: invalid_blocks; tried "
        "again later"
    )
    assert "Traceback" not in lines.getvalue() and problems.known(rt.redis) == []


def test_the_worker_says_at_info_that_it_posted_a_card(
    rt: Runtime, fake_slack: SlackStandIn, lines: io.StringIO
) -> None:
    a_card(rt, "1001")

    run_workers(rt.redis, burst=True, fork=False)

    posted = [line for line in logged(lines) if line["message"].startswith("card posted")]
    assert [(p["level"], p["case"], p["job"]) for p in posted] == [("INFO", "1001", "notify_case")]
