"""Act-queue and card jobs on their own: X failures said plainly, card redraws folded together,
a backlog of cards sent most urgent first, and the card redrawn when a claim's lease ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from pydantic import SecretStr
from rq.registry import ScheduledJobRegistry

from bot import card
from cli import wiring
from cli.standin import SlackStandIn
from flare import keys
from flare.jobs import Job
from flare.outcome import Actor
from flare.queues import QueueName, queue
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from rules.decision import Priority
from tests.builders import NOON, decision, mention
from tests.conftest import SIGNING_SECRET
from tests.fakes.x_api import BRAND_ID, FakeX
from workers import act, jobs, runtime
from workers.runtime import Runtime
from workers.send_budget import SendBudget


@pytest.fixture
def rt(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    fake_x: FakeX,
) -> Iterator[Runtime]:
    secret = SecretStr("x-secret")
    settings = Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        slack={
            "bot_token": SecretStr("xoxb-test"),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.base_url,
            "alerts_channel": "C0ALERTS",
        },
        x={
            "api_url": fake_x.base_url,
            "consumer_key": secret,
            "consumer_secret": secret,
            "access_token": secret,
            "access_token_secret": secret,
            "user_id": BRAND_ID,
        },
    )
    yield runtime.install(wiring.build_runtime(settings, redis_client, clock=lambda: NOON))


def carded(rt: Runtime, id: str = "1001", priority: Priority = Priority.P3) -> str:
    """A case whose card is already in the alerts channel."""
    m = mention(id=id)
    rt.store.save(m, decision(m, priority=priority), NOON)
    case = rt.store.get(id)
    assert case is not None and rt.slack is not None
    posted = rt.slack.client.post_card("C0ALERTS", *card.render(case, NOON))
    rt.store.set_card(id, posted.channel, posted.ts)
    return id


def told(slack: SlackStandIn) -> list[str]:
    return [c.args["text"] for c in slack.calls_to("chat.postEphemeral")]


def test_a_reply_whose_outcome_x_leaves_unknown_is_not_sent_blindly_again(
    rt: Runtime, fake_x: FakeX, fake_slack: SlackStandIn
) -> None:
    case_id = carded(rt)
    fake_x.fail("POST /2/tweets", 503)

    assert act.post_reply(case_id, "U0AGENT1", "Refund sent ^JD", "V1") == "unknown"
    assert "may or may not have gone out" in told(fake_slack)[-1]
    assert "Refund sent ^JD" in told(fake_slack)[-1]

    assert act.post_reply(case_id, "U0AGENT1", "Refund sent ^JD", "V1") == "duplicate"
    assert len(fake_x.requests_to("POST /2/tweets")) == 1


def test_what_x_says_is_escaped_before_an_agent_reads_it(
    rt: Runtime, fake_x: FakeX, fake_slack: SlackStandIn
) -> None:
    case_id = carded(rt)
    fake_x.fail("POST /2/tweets", 400, body={"detail": "<!channel> nope"})

    assert act.post_reply(case_id, "U0AGENT1", "Hi <@U0BOSS>", "V1") == "refused"

    assert "&lt;!channel&gt; nope" in told(fake_slack)[-1]
    assert "<!channel>" not in told(fake_slack)[-1] and "<@U0BOSS>" not in told(fake_slack)[-1]


def with_redraw_gap(rt: Runtime, ms: int) -> None:
    slack = rt.settings.slack.model_copy(update={"redraw_gap_ms": ms})
    rt.settings = rt.settings.model_copy(update={"slack": slack})


def test_card_redraws_close_together_fold_into_one_queued_redraw(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    case_id = carded(rt)
    with_redraw_gap(rt, 60_000)

    rt.store.claim(case_id, "U0AGENT1")
    rt.casework.redraw(case_id)  # queued
    rt.store.release(case_id, "U0AGENT1")
    rt.casework.redraw(case_id)  # folded into the queued one
    rt.store.claim(case_id, "U0AGENT2")
    rt.casework.redraw(case_id)  # and this one too

    assert queued_redraws(rt) == [case_id]
    assert jobs.redraw_card(case_id) == "drawn"
    assert len(fake_slack.calls_to("chat.update")) == 1
    assert "Claimed by <@U0AGENT2>" in str(fake_slack.calls_to("chat.update")[-1].args["blocks"])


def test_a_redraw_within_the_gap_is_put_off_until_the_gap_has_passed_not_slept(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    case_id = carded(rt)
    with_redraw_gap(rt, 60_000)
    rt.casework.redraw(case_id)
    jobs.redraw_card(case_id)  # drawn: the gap starts

    rt.store.claim(case_id, "U0AGENT1")
    rt.casework.redraw(case_id)
    assert jobs.redraw_card(case_id) == "later"

    assert len(fake_slack.calls_to("chat.update")) == 1
    notify = queue(rt.redis, QueueName.NOTIFY)
    (job_id,) = ScheduledJobRegistry(queue=notify).get_job_ids()
    job = notify.fetch_job(job_id)
    assert job is not None and job.func_name == Job.REDRAW_CARD.value
    later = ScheduledJobRegistry(queue=notify).get_scheduled_time(job)
    assert 55 <= (later - datetime.now(UTC)).total_seconds() <= 60
    assert rt.redis.exists(keys.card_dirty(case_id))  # later changes fold into that redraw


def test_a_change_made_after_the_queued_redraw_has_drawn_queues_another(rt: Runtime) -> None:
    case_id = carded(rt)
    rt.casework.redraw(case_id)  # queued
    rt.casework.redraw(case_id)  # folded
    jobs.redraw_card(case_id)  # drawn; its job record may linger a moment in RQ

    rt.store.claim(case_id, "U0AGENT1")
    rt.casework.redraw(case_id)

    assert queued_redraws(rt) == [case_id, case_id]


def queued_redraws(rt: Runtime) -> list[str]:
    jobs_ = queue(rt.redis, QueueName.NOTIFY).get_jobs()
    return [j.args[0] for j in jobs_ if j.func_name == Job.REDRAW_CARD.value]


def test_a_claim_schedules_its_lease_end_which_releases_and_redraws_it(rt: Runtime) -> None:
    case_id = carded(rt)

    assert rt.casework.claim(case_id, Actor("U0AGENT1")).ok

    notify = queue(rt.redis, QueueName.NOTIFY)
    registry = ScheduledJobRegistry(queue=notify)
    [job] = [
        j
        for j in (notify.fetch_job(i) for i in registry.get_job_ids())
        if j is not None and j.func_name == Job.LEASE_END.value
    ]
    until = rt.store.get(case_id).claim_until  # type: ignore[union-attr]
    assert until is not None
    scheduled = registry.get_scheduled_time(job)
    assert scheduled == (until + timedelta(seconds=1)).replace(microsecond=0)


def test_cards_waiting_for_a_busy_channel_go_out_most_urgent_first(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    for case_id, priority in (("3", Priority.P3), ("1", Priority.P1), ("2", Priority.P2)):
        m = mention(id=case_id, text=f"@acme case {case_id}")
        rt.store.save(m, decision(m, priority=priority), NOON)
    SendBudget(rt.redis).backoff("C0ALERTS", 30)  # Slack said 429, Retry-After: 30

    assert [jobs.notify_case(c) for c in ("3", "1", "2")] == ["waiting"] * 3
    assert rt.redis.zrange(keys.send_waiting("C0ALERTS"), 0, -1) == [b"1", b"2", b"3"]

    rt.redis.delete(keys.send_hold("C0ALERTS"))  # the Retry-After has passed

    def drain_when_a_slot_opens() -> str:
        rt.redis.delete(keys.send_next("C0ALERTS"))  # a second has passed since the last post
        return jobs.drain_channel("C0ALERTS")

    assert [drain_when_a_slot_opens() for _ in range(4)] == ["1", "2", "3", "empty"]
    posted = [c.args["text"] for c in fake_slack.calls_to("chat.postMessage")]
    assert [t.split("case ")[-1] for t in posted] == ["1", "2", "3"]


def test_a_reply_x_rate_limits_without_a_reset_time_is_held_a_minute_not_retried_at_once(
    rt: Runtime, fake_x: FakeX, fake_slack: SlackStandIn
) -> None:
    case_id = carded(rt)
    fake_x.fail("POST /2/tweets", 429, headers={"x-rate-limit-reset": None})

    assert act.post_reply(case_id, "U0AGENT1", "Refund sent ^JD", "V1") == "rate-limited"

    act_queue = queue(rt.redis, QueueName.ACT)
    (job_id,) = ScheduledJobRegistry(queue=act_queue).get_job_ids()
    job = act_queue.fetch_job(job_id)
    assert job is not None and job.func_name == Job.POST_REPLY.value
    when = ScheduledJobRegistry(queue=act_queue).get_scheduled_time(job)
    assert when == NOON + timedelta(minutes=1, seconds=act.RESET_MARGIN)
    assert "goes out at 12:01 UTC" in told(fake_slack)[-1]
