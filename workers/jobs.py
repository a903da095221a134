"""The RQ jobs: triage a batch, put a case's card in chat, keep an incident's card current."""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import timedelta
from typing import Any

from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

from bot import card, incident_card, nudges
from bot.casework import job_id
from bot.slack_client import Posted, SlackError
from flare import keys
from flare.case import Case, CaseState
from flare.incidents import Incidents
from flare.queues import QueueName, queue
from flare.triage_context import RedisContext
from rules.decision import Action, Priority
from rules.mention import Mention
from workers.runtime import Runtime, current
from workers.send_budget import PendingSend, SendBudget, most_urgent_first

log = logging.getLogger(__name__)

CHAT_RETRY = Retry(max=4, interval=[2, 10, 60, 300])
MARK_TTL = int(timedelta(days=30).total_seconds())  # how long "told once" marks are kept


def triage_batch(payload: list[dict[str, Any]]) -> dict[str, int]:
    """Decide a batch of mentions, store each case once, and queue what needs a person."""
    rt = current()
    mentions = [Mention.model_validate(m) for m in payload]
    now = rt.clock()
    decisions = rt.engine.decide_many(mentions, RedisContext(rt.redis), now)
    notify = queue(rt.redis, QueueName.NOTIFY)
    incidents = Incidents(rt.redis)
    counts = {"stored": 0, "cards": 0, "incidents": 0}
    for mention, decision in zip(mentions, decisions, strict=True):
        if not rt.store.save(mention, decision, now):
            continue  # triaged before: a retried batch changes nothing twice
        counts["stored"] += 1
        if decision.action is Action.CRISIS and decision.topic:
            if incidents.join(decision.topic, mention.id, now):
                rt.store.count("incidents")
                counts["incidents"] += 1
            _enqueue_incident_card(notify, decision.topic)
        elif decision.action.needs_person:
            counts["cards"] += 1
            notify.enqueue(
                "workers.jobs.notify_case",
                mention.id,
                retry=CHAT_RETRY,
                result_ttl=0,
                at_front=decision.priority is Priority.P1,
            )
    return counts


def _enqueue_incident_card(notify: Queue, topic: str) -> None:
    """One pending redraw per incident: complaints arriving meanwhile fold into it."""
    with contextlib.suppress(DuplicateJobError):
        notify.enqueue(
            "workers.jobs.notify_incident",
            topic,
            job_id=job_id("incident", topic),
            unique=True,
            retry=CHAT_RETRY,
            result_ttl=0,
        )


def _channel_for(rt: Runtime, action: Action) -> str:
    slack = rt.settings.slack
    return (
        slack.pr_channel if action in (Action.ESCALATE_PR, Action.CRISIS) else slack.alerts_channel
    )


def _post(
    rt: Runtime,
    channel: str,
    blocks: list[dict[str, Any]],
    text: str,
    thread_ts: str | None = None,
) -> Posted | float:
    """Post within the channel's send budget (in a card's thread when `thread_ts` is given),
    or say how long to wait (the job is re-queued)."""
    assert rt.slack is not None
    budget = SendBudget(rt.redis, per_second=rt.settings.slack.send_per_second)
    wait = budget.try_acquire(channel)
    if 0 < wait <= 1.0:
        time.sleep(wait)  # a short wait keeps the order; a long one goes back to the queue
        wait = budget.try_acquire(channel)
    if wait:
        return wait
    try:
        if thread_ts:
            return rt.slack.post_in_thread(channel, thread_ts, text, blocks or None)
        return rt.slack.post_card(channel, blocks, text)
    except SlackError as exc:
        if exc.retry_after:
            budget.backoff(channel, exc.retry_after)  # every worker holds off this channel
        raise


def _later(rt: Runtime, wait: float, job: str, *args: Any) -> str:
    """Run `job` again once the channel's send budget has a slot for it."""
    queue(rt.redis, QueueName.NOTIFY).enqueue_in(
        timedelta(seconds=wait), job, *args, retry=CHAT_RETRY, result_ttl=0
    )
    return "deferred"


def notify_case(case_id: str) -> str:
    """Post the case's card, or redraw it if it is already in chat.

    When the channel has a backlog, the card joins it: the backlog goes out most urgent first.
    """
    rt = current()
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    if rt.slack is None:
        log.warning("no Slack bot token set: case %s kept in Redis, no card posted", case_id)
        return "no-slack"
    blocks, text = card.render(case, rt.clock())
    where = rt.store.card(case_id)
    if where:
        rt.slack.update_card(where[0], where[1], blocks, text)
        _tell(rt, case)  # a retry after the card went up but before the heads-up did
        return "updated"
    channel = _channel_for(rt, case.decision.action)
    if rt.redis.scard(keys.send_waiting(channel)):
        return _wait_for_slot(rt, channel, case_id, 0.0)
    posted = _post(rt, channel, blocks, text)
    if not isinstance(posted, Posted):
        return _wait_for_slot(rt, channel, case_id, posted)
    _carded(rt, case, posted)
    return "posted"


def _carded(rt: Runtime, case: Case, posted: Posted) -> None:
    rt.store.set_card(case.id, posted.channel, posted.ts)
    rt.store.count("cards")
    if case.decision.action is Action.ESCALATE_PR:
        rt.store.count("escalations")
    if rt.casework:
        rt.casework.watch_due(case)
    _tell(rt, case)


def _tell(rt: Runtime, case: Case) -> None:
    """Once per case, under its card: tell the leads of a priority case, PR of a PR risk."""
    if case.decision.action not in nudges.TOLD_ABOUT or rt.slack is None:
        return
    where = rt.store.card(case.id)
    if where is None or not rt.redis.set(keys.case_told(case.id), "1", nx=True, ex=MARK_TTL):
        return
    try:
        rt.slack.post_in_thread(*where, nudges.heads_up(case, rt.to_tell(case)))
    except SlackError:
        rt.redis.delete(keys.case_told(case.id))  # the job's retry tells them
        raise


def _wait_for_slot(rt: Runtime, channel: str, case_id: str, wait: float) -> str:
    """Put the card in the channel's backlog; one drain job per waiting card posts them."""
    rt.redis.sadd(keys.send_waiting(channel), case_id)
    if wait > 0:
        _later(rt, wait, "workers.jobs.drain_channel", channel)
    else:  # retried like every chat job: a drain lost to a Slack outage would strand the card
        queue(rt.redis, QueueName.NOTIFY).enqueue(
            "workers.jobs.drain_channel", channel, retry=CHAT_RETRY, result_ttl=0
        )
    return "waiting"


def drain_channel(channel: str) -> str:
    """Post the most urgent card waiting for this channel, or wait for the next slot."""
    rt = current()
    if rt.slack is None:
        return "no-slack"
    waiting_key = keys.send_waiting(channel)
    waiting = [i.decode() for i in rt.redis.smembers(waiting_key)]
    cases = {c.id: c for c in rt.store.get_many(waiting)}
    gone = {i for i in waiting if i not in cases or rt.store.card(i)}
    if gone:
        rt.redis.srem(waiting_key, *gone)
    pending = [
        PendingSend(c.id, c.decision.priority, c.decision.due)
        for c in cases.values()
        if c.id not in gone
    ]
    if not pending:
        return "empty"
    case = cases[most_urgent_first(pending)[0].case_id]
    blocks, text = card.render(case, rt.clock())
    posted = _post(rt, channel, blocks, text)
    if not isinstance(posted, Posted):
        return _later(rt, posted, "workers.jobs.drain_channel", channel)
    rt.redis.srem(waiting_key, case.id)
    _carded(rt, case, posted)
    return case.id


def post_message(channel: str, blocks: list[dict[str, Any]], text: str) -> str:
    """Post a message (not a case card) within the channel's send budget."""
    rt = current()
    if rt.slack is None:
        return "no-slack"
    posted = _post(rt, channel, blocks, text)
    if not isinstance(posted, Posted):
        return _later(rt, posted, "workers.jobs.post_message", channel, blocks, text)
    return posted.ts


def post_note(case_id: str, text: str) -> str:
    """A line of a case's activity log in its card's thread, within the channel's budget."""
    rt = current()
    if rt.slack is None:
        return "no-slack"
    where = rt.store.card(case_id)
    if where is None:
        return "no card"
    posted = _post(rt, where[0], [], text, thread_ts=where[1])
    if not isinstance(posted, Posted):
        return _later(rt, posted, "workers.jobs.post_note", case_id, text)
    return posted.ts


def redraw_card(case_id: str) -> str:
    """Draw a case's card once its redraw gap has passed, with every change made meanwhile."""
    rt = current()
    work = rt.casework
    if work is None:
        return "no-slack"
    wait_ms = int(rt.redis.pttl(keys.card_drawn(case_id)))
    if wait_ms > 0:
        time.sleep(min(wait_ms, work.redraw_gap_ms) / 1000)
    if work.redraw_gap_ms > 0:
        rt.redis.set(keys.card_drawn(case_id), "1", px=work.redraw_gap_ms)
    rt.redis.delete(keys.card_dirty(case_id))  # from here on, a change queues a fresh redraw
    work.draw(case_id)
    return "drawn"


def check_due(case_id: str) -> str:
    """At a case's response target: if nobody has answered it, redraw its card (now overdue)
    and say so once in its thread, to the holder if claimed, else to the leads."""
    rt = current()
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    if case.state not in (CaseState.OPEN, CaseState.CLAIMED):
        return case.state.value
    if case.reply_id or case.dm_by:
        return "answered"
    now = rt.clock()
    due = case.decision.due
    if due is None:
        return "no target"
    if now < due:  # a worker whose clock runs behind: look again at the target
        queue(rt.redis, QueueName.NOTIFY).enqueue_at(
            due + timedelta(seconds=1), "workers.jobs.check_due", case_id, result_ttl=0
        )
        return "not yet"
    where, work = rt.store.card(case_id), rt.casework
    if work is None or where is None:
        return "no card"
    if not rt.redis.set(keys.case_overdue(case_id), "1", nx=True, ex=MARK_TTL):
        return "told before"
    work.draw(case_id)
    try:
        work.slack.post_in_thread(*where, nudges.overdue(case, now, rt.leads()))
    except SlackError:
        rt.redis.delete(keys.case_overdue(case_id))
        raise
    rt.store.audit(case_id, "flare", "overdue", due=due.isoformat())
    return "nudged"


def notify_incident(topic: str) -> str:
    """Post or edit the one card of a topic's incident."""
    rt = current()
    incident = Incidents(rt.redis).get(topic)
    if incident is None:
        return "missing"
    if rt.slack is None:
        return "no-slack"
    recent = rt.store.get_many(list(incident.recent))
    blocks, text = incident_card.render(incident, recent, rt.clock())
    where = rt.redis.hgetall(keys.incident_card(topic))
    if where:
        rt.slack.update_card(where[b"channel"].decode(), where[b"ts"].decode(), blocks, text)
        return "updated"
    posted = _post(rt, rt.settings.slack.pr_channel, blocks, text)
    if not isinstance(posted, Posted):
        return _later(rt, posted, "workers.jobs.notify_incident", topic)
    rt.redis.hset(keys.incident_card(topic), mapping={"channel": posted.channel, "ts": posted.ts})
    rt.store.count("escalations")
    return "posted"
