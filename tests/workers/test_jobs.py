"""Card jobs on their own, with a clock the test moves: who is told when a card goes up, and the
one nudge when a case reaches its response target unanswered."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
from pydantic import SecretStr
from rq import Retry
from rq.exceptions import AbandonedJobError
from rq.registry import ScheduledJobRegistry

from bot.slack_client import SlackError
from cli import wiring
from cli.standin import Call, SlackStandIn
from cli.worker import run_workers
from flare import keys
from flare.defaults import CHAT_RETRY
from flare.dlq import DeadLetters
from flare.jobs import Job, enqueue
from flare.queues import QueueName, queue
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from flare.words import Person, to_json, words
from rules.decision import Action, Priority
from tests.builders import NOON, decision, mention
from tests.conftest import SIGNING_SECRET
from tests.waiting import eventually
from workers import jobs, runtime
from workers.runtime import Runtime
from workers.send_budget import SendBudget


@dataclass
class Clock:
    now: datetime = NOON

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rt(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    clock: Clock,
) -> Iterator[Runtime]:
    settings = Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        slack={
            "bot_token": SecretStr("xoxb-test"),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.base_url,
            "alerts_channel": "C0ALERTS",
            "pr_channel": "C0PR",
            "agents": ("*",),  # everyone, on purpose: Flare's default lets nobody post on X
            "leads": ("U0LEAD",),
            "redraw_gap_ms": 0,
            "send_per_second": 100,  # the budget is tested on its own below
        },
    )
    yield runtime.install(wiring.build_runtime(settings, redis_client, clock=clock))


def stored(rt: Runtime, id: str = "1001", action: Action = Action.PRIORITY, **extra: object) -> str:
    m = mention(id=id)
    priority = Priority.P1 if action is Action.ESCALATE_PR else Priority.P2
    rt.store.save(m, decision(m, action, priority, **extra), NOON)  # due at 12:30
    return id


def thread(slack: SlackStandIn) -> list[str]:
    """What the card threads show, oldest first (calls Slack refused show nothing)."""
    return [m["text"] for _, m in sorted(slack.messages.items()) if m.get("thread_ts")]


def when_free(job: Callable[[str], str], case_id: str) -> str:
    """Run a job that posts once the channel has a slot for it (one every 10 ms here)."""
    return eventually(lambda: (said := job(case_id)) != "deferred" and said)


def tell(case_id: str) -> str:
    return when_free(jobs.tell_case, case_id)


def work(rt: Runtime) -> None:
    """Run what the jobs queued, as the worker would."""
    run_workers(rt.redis, burst=True, fork=False)


def run_scheduled(rt: Runtime) -> None:
    """Queue every scheduled job whose time has come by the test's clock, and run them; then,
    a send slot later, what the channel's send budget put off meanwhile (two lines due at once
    go a slot apart, and a put-off job is scheduled by the wall clock)."""
    _schedule_due(rt, "-inf", rt.clock().timestamp())
    work(rt)
    for _ in range(3):
        for slot in rt.redis.scan_iter(keys.send_next("*")):
            rt.redis.delete(slot)
        if not _schedule_due(rt, time.time() - 60, time.time() + 5):
            return
        work(rt)


def _schedule_due(rt: Runtime, since: float | str, by: float) -> int:
    """Queue the scheduled jobs due between epoch seconds `since` and `by`; how many."""
    due = 0
    for q in (queue(rt.redis, QueueName.NOTIFY), queue(rt.redis, QueueName.ACT)):
        registry = ScheduledJobRegistry(queue=q)
        for raw in rt.redis.zrangebyscore(registry.key, since, by):
            jid = raw.decode()
            job = q.fetch_job(jid)
            registry.remove(jid)
            if job is not None:
                q.enqueue_job(job)
                due += 1
    return due


def without_leads(rt: Runtime) -> None:
    rt.settings = rt.settings.model_copy(
        update={"slack": rt.settings.slack.model_copy(update={"leads": ()})}
    )


# who is told ---------------------------------------------------------------------------------
def test_a_retried_card_job_tells_the_leads_once(rt: Runtime, fake_slack: SlackStandIn) -> None:
    case_id = stored(rt)

    assert jobs.notify_case(case_id) == "posted"
    assert jobs.notify_case(case_id) == "updated"
    work(rt)

    (heads_up,) = thread(fake_slack)
    assert heads_up.startswith("👀 <@U0LEAD>: a priority case (P2)")


def test_a_heads_up_slack_refused_is_raised_for_the_jobs_retry(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    case_id = stored(rt)
    assert jobs.notify_case(case_id) == "posted"

    fake_slack.fail("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackError, match="channel_not_found"):
        tell(case_id)
    assert thread(fake_slack) == []

    assert tell(case_id) == "told"  # RQ's retry of the same job

    (heads_up,) = thread(fake_slack)
    assert heads_up.startswith("👀 <@U0LEAD>")


def test_a_heads_up_waits_out_slack_being_down_and_the_leads_hear_it_is_back(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    case_id = stored(rt)
    assert jobs.notify_case(case_id) == "posted"

    fake_slack.fail("chat.postMessage", status=503, error="service_unavailable", times=3)

    assert tell(case_id) == "told"  # put off while Slack is down (never raised), then told
    refused = [c for c in fake_slack.calls_to("chat.postMessage") if c.status == 503]
    assert len(refused) == 3 and len(thread(fake_slack)) == 1
    assert not rt.redis.exists(keys.slack_outage("C0ALERTS"))
    work(rt)
    back = [c.args["text"] for c in fake_slack.calls_to("chat.postMessage") if c.status == 200]
    assert sum("Slack was not taking Flare's posts here since 12:00 UTC" in t for t in back) == 1


def test_a_heads_up_waits_for_its_channels_budget_like_every_post(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    case_id = stored(rt)
    assert jobs.notify_case(case_id) == "posted"
    SendBudget(rt.redis).backoff("C0ALERTS", 30)  # Slack said Retry-After: 30

    assert jobs.tell_case(case_id) == "deferred"

    assert thread(fake_slack) == []
    scheduled = ScheduledJobRegistry(queue=queue(rt.redis, QueueName.NOTIFY))
    later = [rt.redis.hget(f"rq:job:{j}", "description") for j in scheduled.get_job_ids()]
    assert any(b"tell_case" in (d or b"") for d in later)


def test_a_pr_risk_with_only_named_contacts_says_nobody_was_pinged(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    case_id = stored(rt, action=Action.ESCALATE_PR, risks=("legal",))

    jobs.notify_case(case_id)
    work(rt)

    (heads_up,) = thread(fake_slack)
    assert heads_up.startswith("🚨 Legal counsel, PR on call: PR risk")
    assert "Nobody here was pinged: set FLARE_SLACK__PR_TEAM" in heads_up


def timers_scheduled(rt: Runtime) -> dict[str, datetime]:
    """The case timers waiting in RQ's schedule, by job name, with when each falls."""
    notify = queue(rt.redis, QueueName.NOTIFY)
    registry = ScheduledJobRegistry(queue=notify)
    found = {}
    for jid in registry.get_job_ids():
        job = notify.fetch_job(jid)
        assert job is not None
        found[job.func_name] = registry.get_scheduled_time(job)
    return found


def test_a_posted_card_arms_its_reminder_and_its_breach_once(rt: Runtime) -> None:
    case_id = stored(rt)

    jobs.notify_case(case_id)
    jobs.notify_case(case_id)
    rt.casework.watch_due(rt.store.get(case_id))  # type: ignore[arg-type]

    assert timers_scheduled(rt) == {
        Job.REMIND.value: NOON + timedelta(minutes=15, seconds=1),  # half the target
        Job.BREACH.value: NOON + timedelta(minutes=30, seconds=1),
    }
    assert len(ScheduledJobRegistry(queue=queue(rt.redis, QueueName.NOTIFY))) == 2


def test_a_case_found_late_breaches_a_target_after_its_card_not_at_once(
    rt: Runtime, clock: Clock
) -> None:
    m = mention(id="2002", created_at=NOON - timedelta(hours=5))
    due = m.created_at + timedelta(minutes=30)  # long past when the backfill finds it at NOON
    rt.store.save(m, decision(m, Action.RESPOND, Priority.P3, due=due, late=True), NOON)

    jobs.notify_case("2002")

    assert timers_scheduled(rt)[Job.BREACH.value] == NOON + timedelta(minutes=30, seconds=1)


# response targets ----------------------------------------------------------------------------
def test_a_case_is_not_nudged_before_its_target(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = stored(rt, action=Action.RESPOND)
    jobs.notify_case(case_id)
    clock.now = NOON + timedelta(minutes=29)

    assert when_free(jobs.check_due, case_id) == "not yet"
    assert thread(fake_slack) == []


def test_an_unanswered_case_is_nudged_once_and_its_card_shows_it_overdue(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = stored(rt, action=Action.RESPOND)
    jobs.notify_case(case_id)
    clock.now = NOON + timedelta(minutes=30)

    assert when_free(jobs.check_due, case_id) == "nudged"
    assert when_free(jobs.check_due, case_id) == "told before"

    assert thread(fake_slack) == [
        "⏰ Overdue (the target was 12:30 UTC, under 1 min ago): no reply or DM has gone out yet. "
        "Nobody holds it. <@U0LEAD>: please find someone to take it."
    ]
    assert "*under 1 min overdue*" in str(fake_slack.calls_to("chat.update")[-1].args["blocks"])


def test_with_no_leads_the_nudge_says_nobody_could_be_told(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    without_leads(rt)
    case_id = stored(rt, action=Action.RESPOND)
    jobs.notify_case(case_id)
    clock.now = NOON + timedelta(hours=1)

    when_free(jobs.check_due, case_id)

    assert thread(fake_slack)[-1].endswith(
        "Nobody holds it, and no leads are set (FLARE_SLACK__LEADS) to tell."
    )


def test_a_reply_waiting_for_approval_at_the_target_nudges_the_leads(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = stored(rt)
    jobs.notify_case(case_id)
    rt.store.claim(case_id, "U0AGENT1")
    rt.store.note(case_id, "U0AGENT1", "reply-drafted", awaiting_approval="Sorry! ^JD")
    clock.now = NOON + timedelta(minutes=31)

    when_free(jobs.check_due, case_id)

    assert thread(fake_slack)[-1].endswith(
        "A reply waits for approval: <@U0LEAD>, please look at it."
    )


@pytest.mark.parametrize(
    ("what", "outcome"),
    [("reply", "answered"), ("dm", "answered"), ("resolve", "resolved")],
)
def test_a_case_answered_or_closed_in_time_is_left_alone(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock, what: str, outcome: str
) -> None:
    case_id = stored(rt, action=Action.RESPOND)
    jobs.notify_case(case_id)
    if what == "reply":
        rt.store.note(case_id, "U0AGENT1", "reply", reply_id="42", replied_by="U0AGENT1")
    elif what == "dm":
        rt.store.note(case_id, "U0AGENT1", "dm", dm_by="U0AGENT1")
    else:
        rt.store.close(case_id, "U0AGENT1")
    clock.now = NOON + timedelta(hours=1)

    assert when_free(jobs.check_due, case_id) == outcome
    assert thread(fake_slack) == []


def test_a_case_id_rq_would_refuse_as_a_job_id_still_gets_its_jobs(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = stored(rt, id="webhook:42/a b", action=Action.RESPOND)  # ids from POST /intake
    jobs.notify_case(case_id)

    rt.casework.redraw(case_id)
    rt.casework.redraw(case_id)  # folded into the queued redraw

    notify = queue(rt.redis, QueueName.NOTIFY)
    assert [j.func_name for j in notify.get_jobs()] == [Job.REDRAW_CARD.value]
    assert Job.BREACH.value in timers_scheduled(rt)
    clock.now = NOON + timedelta(hours=1)
    rt.redis.delete(keys.send_next("C0ALERTS"))  # the card's send slot has passed by then
    run_scheduled(rt)
    assert any(line.startswith("⏰ Overdue") for line in thread(fake_slack))


# the activity log ----------------------------------------------------------------------------
CLAIMED = to_json(words(Person("U0AGENT1"), " claimed this case."))


def test_an_activity_line_goes_in_the_cards_thread(rt: Runtime, fake_slack: SlackStandIn) -> None:
    case_id = stored(rt, action=Action.RESPOND)
    jobs.notify_case(case_id)
    rt.redis.delete(keys.send_next("C0ALERTS"))  # a second has passed since the card went up

    jobs.post_note(case_id, CLAIMED)

    assert thread(fake_slack)[-1] == "<@U0AGENT1> claimed this case."


def test_an_activity_line_waits_for_a_held_channel_instead_of_being_lost(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    case_id = stored(rt, action=Action.RESPOND)
    jobs.notify_case(case_id)
    SendBudget(rt.redis).backoff("C0ALERTS", 30)  # Slack said Retry-After: 30

    assert jobs.post_note(case_id, CLAIMED) == "deferred"

    assert "<@U0AGENT1> claimed this case." not in thread(fake_slack)
    notify = queue(rt.redis, QueueName.NOTIFY)
    scheduled = [notify.fetch_job(i) for i in ScheduledJobRegistry(queue=notify).get_job_ids()]
    [later] = [j for j in scheduled if j is not None and j.func_name == Job.POST_NOTE.value]
    assert later.args == [case_id, CLAIMED]


def test_an_activity_line_slack_rate_limits_waits_for_retry_after_and_every_worker_holds_off(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    case_id = stored(rt, action=Action.RESPOND)
    jobs.notify_case(case_id)
    fake_slack.fail("chat.postMessage", status=429, error="ratelimited", retry_after=7)
    rt.redis.delete(keys.send_next("C0ALERTS"))  # a second has passed since the card went up

    assert jobs.post_note(case_id, CLAIMED) == "deferred"  # put off, not failed

    assert SendBudget(rt.redis).try_acquire("C0ALERTS") > 5  # every worker now holds off
    scheduled = ScheduledJobRegistry(queue=queue(rt.redis, QueueName.NOTIFY))
    later = [rt.redis.hget(f"rq:job:{j}", "description") for j in scheduled.get_job_ids()]
    assert any(b"post_note" in (d or b"") for d in later)


# the incident card -----------------------------------------------------------------------------
def test_an_incident_card_is_edited_at_most_once_per_gap_and_nothing_is_lost(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    rt.paging.open("outage", "1001", "a spike of complaints")
    assert jobs.notify_incident("outage") == "posted"
    assert jobs.notify_incident("outage") == "updated"  # the first edit opens the gap

    rt.paging.incidents.join("outage", "1002", NOON)
    assert jobs.notify_incident("outage") == "later"
    assert jobs.notify_incident("outage") == "later"  # folded into the one put off

    notify = queue(rt.redis, QueueName.NOTIFY)
    put_off = [notify.fetch_job(i) for i in ScheduledJobRegistry(queue=notify).get_job_ids()]
    assert [j.args for j in put_off if j and j.func_name == Job.NOTIFY_INCIDENT.value] == [
        ["outage", True]
    ]
    rt.redis.delete(keys.incident_card_edited("outage"))  # the gap is over
    assert jobs.notify_incident("outage", True) == "updated"
    assert "2 complaints" in str(fake_slack.calls_to("chat.update")[-1].args["blocks"])


def test_a_heads_up_lets_a_more_urgent_card_waiting_for_the_channel_go_first(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    told_about = stored(rt, "2001")  # a P2 priority case, carded
    assert jobs.notify_case(told_about) == "posted"
    urgent = stored(rt, "2002", action=Action.ESCALATE_PR, risks=("legal",))  # P1, PR's channel
    rt.redis.zadd(keys.send_waiting("C0ALERTS"), {urgent: 1.0})  # waiting for a slot here

    assert jobs.tell_case(told_about) == "deferred"
    rt.redis.zrem(keys.send_waiting("C0ALERTS"), urgent)
    assert tell(told_about) == "told"


def test_a_heads_up_does_not_wait_behind_less_urgent_cards(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    told_about = stored(rt, "2001")  # a P2 priority case, carded
    assert jobs.notify_case(told_about) == "posted"
    routine = {f"30{n}": 4e11 for n in range(50)}  # fifty P4 cards waiting for a slot
    rt.redis.zadd(keys.send_waiting("C0ALERTS"), routine)

    assert tell(told_about) == "told"


def test_a_card_slack_took_without_answering_is_found_in_the_channel_not_posted_twice(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    case_id = stored(rt)
    hung_up: list[Call] = []

    def take_it_and_hang_up(call: Call) -> None:
        if call.method == "chat.postMessage" and not hung_up:
            hung_up.append(call)
            raise ConnectionAbortedError("Slack took the card; its answer never comes back")

    fake_slack.on_call = take_it_and_hang_up
    assert jobs.notify_case(case_id) == "waiting"  # no answer: the card waits, nothing raised
    fake_slack.on_call = None

    assert when_free(jobs.drain_channel, "C0ALERTS") == case_id

    cards = [c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("blocks")]
    assert len(cards) == 1  # the card Slack took was found by its metadata and recorded
    assert rt.store.card(case_id) in fake_slack.messages


def _run_what_is_scheduled(rt: Runtime) -> None:
    """Queue every scheduled notify job now, and run it, as if its time had come."""
    notify = queue(rt.redis, QueueName.NOTIFY)
    scheduled = ScheduledJobRegistry(queue=notify)
    for waiting in scheduled.get_job_ids():
        job = notify.fetch_job(waiting)
        scheduled.remove(waiting)
        if job is not None:
            notify.enqueue_job(job)
    work(rt)


def test_a_thread_line_slack_took_without_answering_is_found_not_posted_twice(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    case_id = stored(rt, action=Action.RESPOND)  # no heads-up: the note is the thread's one line
    assert jobs.notify_case(case_id) == "posted"
    hung_up: list[Call] = []

    def take_it_and_hang_up(call: Call) -> None:
        if call.method == "chat.postMessage" and call.args.get("thread_ts") and not hung_up:
            hung_up.append(call)
            raise ConnectionAbortedError("Slack took the line; its answer never comes back")

    fake_slack.on_call = take_it_and_hang_up
    rt.redis.delete(keys.send_next("C0ALERTS"))  # a second has passed since the card went up
    enqueue(rt.redis, Job.POST_NOTE, case_id, CLAIMED, retry=CHAT_RETRY)
    work(rt)  # the line went out, but its job heard nothing: put off, not failed
    fake_slack.on_call = None
    assert hung_up and rt.store.stats().get("cards") == 1

    for _ in range(3):  # the job's later runs, as the scheduler would start them
        rt.redis.delete(keys.send_next("C0ALERTS"))  # each a send slot later
        _run_what_is_scheduled(rt)

    assert len(thread(fake_slack)) == 1  # found by its metadata, not posted again
    looked = [c.method for c in fake_slack.calls if c.method.startswith("conversations.")]
    assert looked == ["conversations.replies"]


def test_a_triage_batch_that_fails_for_good_leaves_each_mention_as_a_dead_letter(
    rt: Runtime,
) -> None:
    batch = [mention(id=n).model_dump(mode="json") for n in ("801", "802")]
    for m in batch:
        rt.redis.set(keys.seen(m["id"]), 1)  # taken in: marked seen at the door
    job = queue(rt.redis, QueueName.TRIAGE).enqueue(
        Job.TRIAGE_BATCH.value, batch, retry=Retry(max=1)
    )
    died = AbandonedJobError()

    jobs.triage_failed(job, rt.redis, AbandonedJobError, died, None)  # a retry is left
    assert DeadLetters(rt.redis).ids() == []

    job.retries_left = 0
    jobs.triage_failed(job, rt.redis, AbandonedJobError, died, None)  # the last try failed

    letters = DeadLetters(rt.redis).all()
    assert len(letters) == 2 and all(letter.where == "triage" for letter in letters)
    assert not any(rt.redis.exists(keys.seen(m["id"])) for m in batch)  # `flare dlq replay`


def test_a_triage_batch_retried_after_storing_but_before_acting_still_acts_once(
    rt: Runtime, redis_client: redis.Redis
) -> None:
    payload = [mention(id="3001", text="@acme my order never arrived, two weeks now")]
    queued = [m.model_dump(mode="json") for m in payload]
    first_try = {"stored": 0, "dead": 0}
    decided = jobs._decide(rt, payload, NOON)
    jobs._store_new(rt, decided, NOON, first_try, jobs._batch_name(payload))  # then it failed

    retry = jobs.triage_batch(queued)
    again = jobs.triage_batch(queued)

    assert first_try["stored"] == 1 and retry["stored"] == 0
    assert retry["cards"] == 1  # the card the first try never queued
    assert again["cards"] == 0  # and no second one
    assert redis_client.exists(keys.triage_pending(jobs._batch_name(payload))) == 0
