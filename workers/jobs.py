"""The RQ jobs: triage a batch, put a case's card in chat, keep an incident's card current."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

from bot import card, incident_card, nudges
from bot.mrkdwn import say
from bot.slack_client import Posted, SlackError
from flare import keys
from flare.case import Case, CaseState
from flare.defaults import CHAT_RETRY, INCIDENT_EDIT_GAP_MS, TOLD_TTL
from flare.jobs import Job, enqueue, enqueue_at, enqueue_in
from flare.threads import threads_for
from flare.triage_context import RedisContext
from flare.words import Person, Words, from_json
from rules.decision import Action, Priority
from rules.mention import Mention
from workers import teams
from workers.runtime import Runtime, current
from workers.send_budget import PendingSend, SendBudget, most_urgent_first

log = logging.getLogger(__name__)


def triage_batch(payload: list[dict[str, Any]]) -> dict[str, int]:
    """Decide a batch of mentions, store each case once, and queue what needs a person."""
    rt = current()
    mentions = [Mention.model_validate(m) for m in payload]
    now = rt.clock()
    threads = threads_for(rt.store, mentions, rt.playbook.reopen_within)
    decisions = rt.engine.decide_many(mentions, RedisContext(rt.redis), now, threads.joins)
    counts = {"stored": 0, "cards": 0, "incidents": 0, "follow_ups": 0}
    recent_on_topic: dict[str, dict[str, float]] = {}
    for mention, decision in zip(mentions, decisions, strict=True):
        conversation = threads.joins.get(mention.id)
        if conversation is not None and decision.action is not Action.DROP:
            if rt.casework.followed_up(conversation.case_id, mention, decision):
                counts["follow_ups"] += 1
            continue
        if not rt.store.save(mention, decision, now, threads.links.get(mention.id)):
            continue  # triaged before: a retried batch changes nothing twice
        counts["stored"] += 1
        if decision.action in (Action.CRISIS, Action.ESCALATE_PR) and decision.topic:
            _remember_on_topic(rt, recent_on_topic, now)  # the cards an opening incident folds in
            recent_on_topic.clear()
        if decision.action is Action.CRISIS and decision.topic:
            loud = decision.vip or decision.spreading or decision.influential
            cause, negative = "a spike of complaints", decision.sentiment < 0
            opened = rt.paging.open(decision.topic, mention.id, cause, loud, negative)
            counts["incidents"] += opened.opened
            continue
        if decision.action is Action.ESCALATE_PR and decision.topic:
            cause, negative = "a post that may need PR", decision.sentiment < 0
            opened = rt.paging.open(decision.topic, mention.id, cause, negative=negative)
            counts["incidents"] += opened.opened
        if decision.action.needs_person:
            counts["cards"] += 1
            if decision.topic:
                recent_on_topic.setdefault(decision.topic, {})[mention.id] = now.timestamp()
            enqueue(
                rt.redis,
                Job.NOTIFY_CASE,
                mention.id,
                retry=CHAT_RETRY,
                at_front=decision.priority is Priority.P1,
            )
    _remember_on_topic(rt, recent_on_topic, now)
    return counts


def _remember_on_topic(rt: Runtime, cases: dict[str, dict[str, float]], now: datetime) -> None:
    """Keep each topic's carded cases for the spike window, for an incident to fold in."""
    if not cases:
        return
    keep = rt.paging.fold_window.total_seconds()
    pipe = rt.redis.pipeline(transaction=False)
    for topic, stored in cases.items():
        pipe.zadd(keys.topic_cases(topic), stored)
        pipe.zremrangebyscore(keys.topic_cases(topic), "-inf", now.timestamp() - keep)
        pipe.expire(keys.topic_cases(topic), int(keep) + 60)
    pipe.execute()


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
    or say how long to wait: the caller schedules the job again for then, nothing sleeps."""
    assert rt.slack is not None
    budget = SendBudget(rt.redis, per_second=rt.settings.slack.send_per_second)
    wait = budget.try_acquire(channel)
    if wait:
        return wait
    try:
        if thread_ts:
            return rt.slack.client.post_in_thread(channel, thread_ts, text, blocks or None)
        return rt.slack.client.post_card(channel, blocks, text)
    except SlackError as exc:
        if exc.retry_after:
            budget.backoff(channel, exc.retry_after)  # every worker holds off this channel
        raise


def _later(rt: Runtime, wait: float, job: Job, *args: Any) -> str:
    """Run `job` again once the channel's send budget has a slot for it."""
    enqueue_in(rt.redis, timedelta(seconds=wait), job, *args, retry=CHAT_RETRY)
    return "deferred"


def notify_case(case_id: str) -> str:
    """Post the case's card, or redraw it if it is already in chat.

    When the channel has a backlog, the card joins it: the backlog goes out most urgent first.
    """
    rt = current()
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    if rt.teams is not None:
        teams.follow(rt.redis, Job.TEAMS_CARD, case_id)
    if rt.slack is None:
        log.warning("no Slack bot token set: case %s kept in Redis, no card posted", case_id)
        return "no-slack"
    if rt.store.card(case_id):
        rt.slack.draw(case_id)
        _tell(rt, case)  # a retry after the card went up but before the heads-up did
        return "updated"
    channel = _channel_for(rt, case.decision.action)
    if rt.redis.scard(keys.send_waiting(channel)):
        return _wait_for_slot(rt, channel, case_id, 0.0)
    blocks, text = card.render(case, rt.clock())
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
    rt.casework.watch_due(case)
    _tell(rt, case)


def _tell(rt: Runtime, case: Case) -> None:
    """Under its card, once per case and level: the leads of a priority case, PR of a PR risk
    (again if a follow-up raises a priority case to a PR risk)."""
    if case.decision.action not in nudges.TOLD_ABOUT or rt.slack is None:
        return
    where = rt.store.card(case.id)
    told = keys.case_told(case.id, case.decision.action)
    if where is None or not rt.redis.set(told, "1", nx=True, ex=TOLD_TTL):
        return
    line = nudges.heads_up(case, rt.to_tell(case))
    try:
        rt.slack.client.post_in_thread(*where, line)
    except SlackError:
        rt.redis.delete(told)  # the job's retry tells them
        raise
    if rt.teams is not None:
        teams.told(rt.redis, case.id, line)


def _wait_for_slot(rt: Runtime, channel: str, case_id: str, wait: float) -> str:
    """Put the card in the channel's backlog; one drain job per waiting card posts them."""
    rt.redis.sadd(keys.send_waiting(channel), case_id)
    if wait > 0:
        _later(rt, wait, Job.DRAIN_CHANNEL, channel)
    else:  # retried like every chat job: a drain lost to a Slack outage would strand the card
        enqueue(rt.redis, Job.DRAIN_CHANNEL, channel, retry=CHAT_RETRY)
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
        return _later(rt, posted, Job.DRAIN_CHANNEL, channel)
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
        return _later(rt, posted, Job.POST_MESSAGE, channel, blocks, text)
    return posted.ts


def _card_of(rt: Runtime, case_id: str) -> tuple[str, str] | str:
    """Where the case's card is in Slack, or why there is nowhere to post under it."""
    if rt.slack is None:
        return "no-slack"
    return rt.store.card(case_id) or "no card"


def post_note(case_id: str, line: list[Any]) -> str:
    """A line of a case's activity log in its card's thread, within the channel's budget."""
    rt = current()
    where = _card_of(rt, case_id)
    if isinstance(where, str):
        _teams_note(rt, case_id, line)
        return where
    posted = _post(rt, where[0], [], say(from_json(line)), thread_ts=where[1])
    if not isinstance(posted, Posted):
        return _later(rt, posted, Job.POST_NOTE, case_id, line)
    _teams_note(rt, case_id, line)  # once: a run put off or retried has not reached here
    return posted.ts


def _teams_note(rt: Runtime, case_id: str, line: list[Any]) -> None:
    if rt.teams is not None:
        teams.follow(rt.redis, Job.TEAMS_NOTE, case_id, line)


def redraw_card(case_id: str) -> str:
    """Draw a case's card with every change made so far, at most once per redraw gap.

    Within the gap nothing sleeps: the redraw is put off until the gap has passed, and the dirty
    mark stays set meanwhile, so changes made until then fold into that one redraw.
    """
    rt = current()
    if rt.slack is None and rt.teams is None:
        rt.redis.delete(keys.card_dirty(case_id))
        return "no-slack"
    gap = rt.settings.slack.redraw_gap_ms
    if gap > 0 and not rt.redis.set(keys.card_drawn(case_id), "1", nx=True, px=gap):
        wait = max(1, int(rt.redis.pttl(keys.card_drawn(case_id))))
        enqueue_in(rt.redis, timedelta(milliseconds=wait), Job.REDRAW_CARD, case_id)
        return "later"
    rt.redis.delete(keys.card_dirty(case_id))  # from here on, a change queues a fresh redraw
    if rt.teams is not None:
        teams.follow(rt.redis, Job.TEAMS_DRAW, case_id)
    if rt.slack is not None:
        rt.slack.draw(case_id)
    return "drawn"


def ask_approval(case_id: str, author: str, text: str, replaced: list[str] | None) -> str:
    """Post a draft in the card's thread with Approve and Send back, and retire the request it
    replaces, so a lead can only ever approve the words they are shown."""
    rt = current()
    where = _card_of(rt, case_id)
    if isinstance(where, str):
        return where
    if replaced:
        ts, old = replaced
        _settle(rt, where[0], ts, old, ("Replaced by a newer draft from ", Person(author), "."))
    case = rt.store.get(case_id)
    if case is None or case.awaiting_approval != text:
        return "decided"  # approved, sent back or replaced before this job ran
    blocks = card.approval_blocks(case_id, author, text)
    posted = _post(rt, where[0], blocks, "A reply awaits approval", thread_ts=where[1])
    if not isinstance(posted, Posted):  # the replaced request is settled already
        return _later(rt, posted, Job.ASK_APPROVAL, case_id, author, text, None)
    rt.store.note(case_id, author, None, approval_ts=posted.ts)
    return posted.ts


def settle_approval(case_id: str, ts: str, text: str, outcome: list[Any]) -> str:
    """Take the buttons off an approval request, saying what became of its draft."""
    rt = current()
    where = _card_of(rt, case_id)
    if isinstance(where, str):
        return where
    _settle(rt, where[0], ts, text, from_json(outcome))
    return "settled"


def _settle(rt: Runtime, channel: str, ts: str, text: str, outcome: Words) -> None:
    assert rt.slack is not None
    blocks = card.settled_approval(text, say(outcome))
    with contextlib.suppress(SlackError):  # e.g. the message was deleted meanwhile
        rt.slack.client.update_card(channel, ts, blocks, say(outcome))


def check_due(case_id: str) -> str:
    """At a case's response target: if nobody has answered it, redraw its card (now overdue)
    and say so once in its thread, to the holder if claimed, else to the leads."""
    rt = current()
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    if case.state not in (CaseState.OPEN, CaseState.CLAIMED):
        return case.state.value
    if not case.awaiting_answer:
        return "answered"
    now = rt.clock()
    due = case.decision.due
    if due is None:
        return "no target"
    if now < due:  # a worker whose clock runs behind: look again at the target
        enqueue_at(rt.redis, due + timedelta(seconds=1), Job.CHECK_DUE, case_id)
        return "not yet"
    where = rt.store.card(case_id)
    if rt.slack is None or where is None:
        return "no card"
    if not rt.redis.set(keys.case_overdue(case_id), "1", nx=True, ex=TOLD_TTL):
        return "told before"
    rt.slack.draw(case_id)
    line = nudges.overdue(case, now, rt.leads())
    try:
        rt.slack.client.post_in_thread(*where, line)
    except SlackError:
        rt.redis.delete(keys.case_overdue(case_id))
        raise
    if rt.teams is not None:
        teams.follow(rt.redis, Job.TEAMS_DRAW, case_id)  # now overdue
        teams.told(rt.redis, case_id, line)
    rt.store.audit(case_id, "flare", "overdue", due=due.isoformat())
    return "nudged"


def notify_incident(topic: str, put_off: bool = False) -> str:
    """Post or edit the one card of a topic's incident, at most once per edit gap.

    Within the gap nothing waits: one edit is put off until the gap is over (`put_off` marks
    that run), and whatever changes meanwhile is in it.
    """
    rt = current()
    incident = rt.paging.incidents.get(topic)
    if incident is None:
        return "missing"
    if rt.slack is None:
        return "no-slack"
    where = rt.redis.hgetall(keys.incident_card(topic))
    edited, pending = keys.incident_card_edited(topic), keys.incident_card_pending(topic)
    if put_off:
        rt.redis.delete(pending)
    if where and not rt.redis.set(edited, "1", nx=True, px=INCIDENT_EDIT_GAP_MS):
        if rt.redis.set(pending, "1", nx=True, px=INCIDENT_EDIT_GAP_MS + 5_000):
            wait = timedelta(milliseconds=max(1, int(rt.redis.pttl(edited))))
            enqueue_in(rt.redis, wait, Job.NOTIFY_INCIDENT, topic, True, retry=CHAT_RETRY)
        return "later"
    recent = rt.store.get_many(list(incident.recent))
    blocks, text = incident_card.render(incident, recent, rt.clock())
    if where:
        channel, ts = where[b"channel"].decode(), where[b"ts"].decode()
        rt.slack.client.update_card(channel, ts, blocks, text)
        return "updated"
    posted = _post(rt, rt.settings.slack.pr_channel, blocks, text)
    if not isinstance(posted, Posted):
        return _later(rt, posted, Job.NOTIFY_INCIDENT, topic)
    rt.redis.hset(keys.incident_card(topic), mapping={"channel": posted.channel, "ts": posted.ts})
    rt.store.count("escalations")
    return "posted"


def settle_rolled_up(topic: str, incident_id: str, user: str, resolve: bool) -> int:
    """After an incident closes: each case it rolled up goes back to the queue, or is resolved
    with it, as the closer chose; returns how many were settled."""
    rt = current()
    ids = [
        raw.decode() for raw in rt.redis.zrange(keys.incident_record_arrivals(incident_id), 0, -1)
    ]
    settled = 0
    for case in rt.store.get_many(ids):
        if case.rolled_into == topic and rt.casework.settle_rolled_up(case, user, resolve):
            settled += 1
    return settled
