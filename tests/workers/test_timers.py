"""A case's timers, job by job, with a clock the test moves: the reminder and its snooze, the
breach and the chain after it, the end of a lease; each fires once, and a stale one does nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rq.registry import ScheduledJobRegistry

from cli.standin import SlackStandIn
from flare import keys
from flare.case import CaseState
from flare.jobs import Job
from flare.outcome import Actor, Kind
from flare.queues import QueueName, queue
from rules.decision import Action, Priority
from tests.builders import decision, mention
from tests.waiting import eventually
from tests.workers.test_jobs import Clock, clock, rt, thread, work
from workers import jobs, timers
from workers.runtime import Runtime

__all__ = ["clock", "rt"]  # fixtures

MONDAY = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)  # well after the real time: RQ leaves it be
AGENT, OTHER, LEAD = Actor("U0AGENT1", "Jo Doe"), Actor("U0AGENT2"), Actor("U0LEAD")


@pytest.fixture(autouse=True)
def monday(clock: Clock) -> None:
    clock.now = MONDAY


def carded(rt: Runtime, id: str = "3001", **extra: Any) -> str:
    """A P3 complaint posted at 09:00, due 09:30, with its card in Slack and its timers armed."""
    m = mention(id=id, created_at=MONDAY)
    rt.store.save(m, decision(m, Action.RESPOND, Priority.P3, **extra), MONDAY)
    for slot in rt.redis.scan_iter(keys.send_next("*")):
        rt.redis.delete(slot)  # a send slot after the card before it: two may be made at once
    assert jobs.notify_case(id) == "posted"
    work(rt)
    return id


def scheduled(rt: Runtime, job: Job) -> list[tuple[datetime, tuple[Any, ...]]]:
    """When each scheduled job of this kind falls, with its arguments, soonest first."""
    notify = queue(rt.redis, QueueName.NOTIFY)
    registry = ScheduledJobRegistry(queue=notify)
    found = []
    for jid in registry.get_job_ids():
        rq_job = notify.fetch_job(jid)
        if rq_job is not None and rq_job.func_name == job.value:
            found.append((registry.get_scheduled_time(rq_job), tuple(rq_job.args)))
    return sorted(found)


def at(clock: Clock, minutes: float) -> None:
    clock.now = MONDAY + timedelta(minutes=minutes)


def fire(rt: Runtime, job: Job, index: int = 0) -> str:
    """Run the scheduled job of this kind (the `index`th soonest) as the scheduler would, and
    what it queued."""
    _, args = scheduled(rt, job)[index]
    run = {
        Job.REMIND: timers.remind,
        Job.BREACH: timers.breach,
        Job.BREACH_STEP: timers.breach_step,
        Job.LEASE_END: timers.lease_end,
    }[job]
    said = eventually(lambda: (out := str(run(*args))) != "deferred" and out)  # a slot
    work(rt)
    return said


def audited(rt: Runtime, case_id: str) -> list[str]:
    return [e.what for e in rt.store.trail.of_case(case_id)]


# the reminder --------------------------------------------------------------------------------
def test_a_case_nobody_holds_is_reminded_once_halfway_to_its_target(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = carded(rt)
    [(when, _)] = scheduled(rt, Job.REMIND)
    assert when == MONDAY + timedelta(minutes=15, seconds=1)
    assert "Snooze reminder" in str(fake_slack.messages[rt.store.card(case_id)])  # type: ignore[index]

    at(clock, 15)
    assert fire(rt, Job.REMIND) == "reminded"
    assert fire(rt, Job.REMIND) == "done"  # the same job run again: nobody is told twice

    assert thread(fake_slack) == [
        "⏳ Nobody holds this case yet, and its target is 09:30 UTC (in 15 min). "
        "Claim it, or snooze this reminder on the card."
    ]
    assert audited(rt, case_id) == ["reminded"]
    card = str(fake_slack.messages[rt.store.card(case_id)])  # type: ignore[index]
    assert "Snooze reminder" not in card  # nothing left to snooze


def test_a_held_case_gets_no_reminder(rt: Runtime, fake_slack: SlackStandIn, clock: Clock) -> None:
    case_id = carded(rt)
    assert rt.casework.claim(case_id, AGENT).ok

    at(clock, 15)
    assert fire(rt, Job.REMIND) == "held"
    assert not [line for line in thread(fake_slack) if line.startswith("⏳")]


def test_a_snooze_puts_the_reminder_off_and_the_first_one_does_nothing(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = carded(rt)
    at(clock, 5)

    assert rt.casework.snooze(case_id, AGENT).ok

    (_, _), (then, _) = scheduled(rt, Job.REMIND)
    assert then == MONDAY + timedelta(minutes=20, seconds=1)
    at(clock, 16)
    assert fire(rt, Job.REMIND, 0) == "stale"
    at(clock, 20)
    assert fire(rt, Job.REMIND, 1) == "reminded"
    assert thread(fake_slack)[0] == (
        "<@U0AGENT1> snoozed the reminder for 15 min, until 09:20 UTC."
    )
    assert sum(line.startswith("⏳") for line in thread(fake_slack)) == 1
    assert audited(rt, case_id) == ["snoozed", "reminded"]


def test_a_snooze_past_the_target_drops_the_reminder_and_says_so(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = carded(rt)
    at(clock, 15.5)

    assert rt.casework.snooze(case_id, AGENT).ok  # 09:30:30: the breach tells everyone anyway
    work(rt)

    assert thread(fake_slack)[-1].endswith("none comes before the response target now.")
    assert rt.casework.snooze(case_id, OTHER).kind is Kind.REFUSED  # nothing left to snooze
    assert fire(rt, Job.REMIND) == "stale"


def test_a_held_case_cannot_be_snoozed(rt: Runtime, clock: Clock) -> None:
    case_id = carded(rt)
    rt.casework.claim(case_id, AGENT)

    refused = rt.casework.snooze(case_id, OTHER)

    assert refused.kind is Kind.REFUSED


# the breach and the chain --------------------------------------------------------------------
def test_a_breach_marks_the_card_tells_the_holder_then_the_chain_tells_the_leads(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = carded(rt)
    rt.casework.claim(case_id, AGENT)

    at(clock, 29)
    assert fire(rt, Job.BREACH) == "not yet"  # a worker whose clock runs behind looks again
    at(clock, 30)
    assert fire(rt, Job.BREACH) == "breached"
    at(clock, 45)
    assert fire(rt, Job.BREACH_STEP) == "told"

    overdue, still = [line for line in thread(fake_slack) if line.startswith("⏰")]
    assert "<@U0AGENT1>, this case is yours" in overdue
    assert still.startswith("⏰ Still unanswered, 15 min past its target (09:30 UTC).")
    assert "<@U0AGENT1> holds it. <@U0LEAD>: please see that someone answers it" in still
    card = str(fake_slack.messages[rt.store.card(case_id)])  # type: ignore[index]
    assert "⏰ OVERDUE" in card
    assert audited(rt, case_id) == ["claim", "overdue", "still_overdue"]
    assert not scheduled(rt, Job.BREACH_STEP)[1:]  # the default chain has one step


def test_someone_on_it_stops_the_chain(rt: Runtime, fake_slack: SlackStandIn, clock: Clock) -> None:
    case_id = carded(rt)
    assert rt.casework.acknowledge(case_id, LEAD).kind is Kind.REFUSED  # not overdue yet
    at(clock, 30)
    fire(rt, Job.BREACH)

    assert rt.casework.acknowledge(case_id, LEAD).ok
    assert rt.casework.acknowledge(case_id, AGENT).kind is Kind.REFUSED  # in hand already

    at(clock, 45)
    assert fire(rt, Job.BREACH_STEP) == "stopped"
    assert not [line for line in thread(fake_slack) if line.startswith("⏰ Still")]
    assert audited(rt, case_id)[-1] == "acknowledged"


def test_claiming_a_breached_case_stops_the_chain_and_answering_it_leaves_it_alone(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    claimed, answered = carded(rt, "3001"), carded(rt, "3002")
    at(clock, 30)
    fire(rt, Job.BREACH, 0)
    fire(rt, Job.BREACH, 1)

    rt.casework.claim(claimed, AGENT)
    rt.store.note(answered, "U0AGENT1", "dm", dm_by="U0AGENT1", answered_at=clock.now.isoformat())

    at(clock, 45)
    steps = {args[0]: args for _, args in scheduled(rt, Job.BREACH_STEP)}
    assert timers.breach_step(*steps[claimed]) == "stopped"
    assert timers.breach_step(*steps[answered]) == "answered"


def test_a_breach_job_run_twice_tells_once_and_a_stale_token_tells_nobody(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = carded(rt)
    at(clock, 30)
    [(_, args)] = scheduled(rt, Job.BREACH)
    time.sleep(0.02)  # the channel's send budget (100/s, real time) has a slot after the card

    assert timers.breach(*args) == "breached"
    assert timers.breach(*args) == "done"
    assert timers.breach(case_id, "not-the-token") == "stale"

    assert sum(line.startswith("⏰ Overdue") for line in thread(fake_slack)) == 1
    assert audited(rt, case_id) == ["overdue"]


def test_a_customer_writing_again_restarts_the_timers_and_the_old_ones_do_nothing(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = carded(rt)
    [(_, old)] = scheduled(rt, Job.BREACH)
    later = mention(id="3009", created_at=MONDAY + timedelta(minutes=20))
    again = decision(later, Action.RESPOND, Priority.P3, due=later.created_at + timedelta(30))
    at(clock, 20)

    assert rt.casework.followed_up(case_id, later, again)

    at(clock, 31)
    assert timers.breach(*old) == "stale"
    assert len(scheduled(rt, Job.BREACH)) == 2


# the lease -----------------------------------------------------------------------------------
def test_a_lease_that_runs_out_releases_the_case_and_the_card_says_so(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = carded(rt)
    rt.casework.claim(case_id, AGENT)
    [(when, _)] = scheduled(rt, Job.LEASE_END)
    assert when == MONDAY + timedelta(minutes=30, seconds=1)

    at(clock, 30)
    assert fire(rt, Job.LEASE_END) == "released"
    assert fire(rt, Job.LEASE_END) == "renewed"  # released already: nothing more

    case = rt.store.get(case_id)
    assert case is not None and case.state is CaseState.OPEN
    assert thread(fake_slack)[-1] == (
        "⌛ <@U0AGENT1>'s claim ran out at 09:30 UTC: the case is open for anyone to claim."
    )
    card = str(fake_slack.messages[rt.store.card(case_id)])  # type: ignore[index]
    assert "claim ran out: open for anyone to claim" in card
    assert audited(rt, case_id)[-1] == "lease_expired"
    assert not rt.redis.exists(keys.claim(case_id))


def test_a_lease_renewed_before_it_ends_is_left_alone(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    case_id = carded(rt)
    rt.casework.claim(case_id, AGENT)
    at(clock, 20)
    rt.casework.claim(case_id, AGENT)  # claimed again: a lease until 09:50

    at(clock, 30)
    assert fire(rt, Job.LEASE_END, 0) == "renewed"
    case = rt.store.get(case_id)
    assert case is not None and case.claimed_by == AGENT.id
    assert "lease_expired" not in audited(rt, case_id)


# late and missed -----------------------------------------------------------------------------
def test_a_breached_case_is_offered_the_late_reply_template(rt: Runtime, clock: Clock) -> None:
    case_id = carded(rt, template="ownership")
    rt.casework.claim(case_id, AGENT)
    before = rt.casework.reply_form(case_id, AGENT).form
    at(clock, 50)
    fire(rt, Job.BREACH)

    after = rt.casework.reply_form(case_id, AGENT).form

    assert before is not None and after is not None
    assert "you're right: we got this wrong" in before.draft
    assert after.draft.startswith("Hi Dana, I'm sorry it took us 50 minutes to answer")


def test_a_breach_whose_card_still_waits_for_its_slot_waits_for_the_card(
    rt: Runtime, fake_slack: SlackStandIn, clock: Clock
) -> None:
    m = mention(id="3005", created_at=MONDAY)
    rt.store.save(m, decision(m, Action.RESPOND, Priority.P3), MONDAY)
    rt.casework.watch_due(rt.store.get("3005"))  # type: ignore[arg-type]  # no card yet
    at(clock, 30)

    assert fire(rt, Job.BREACH) == "waiting for its card"
    assert jobs.notify_case("3005") == "posted"  # Slack took the card at last
    at(clock, 31)

    assert fire(rt, Job.BREACH, 1) == "breached"
    assert sum(line.startswith("⏰ Overdue") for line in thread(fake_slack)) == 1
    assert audited(rt, "3005") == ["overdue"]
