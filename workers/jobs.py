"""The RQ jobs: triage a batch, put a case's card in chat, keep an incident's card current."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from pydantic import ValidationError
from rq import get_current_job
from rq.job import Job as RqJob

from bot import card, incident_card, nudges
from bot.card import CARD_EVENT
from bot.mrkdwn import say
from bot.slack_client import POST_EVENT, Posted, SlackError
from flare import keys
from flare.backlog import Waiting, urgency
from flare.case import Case, CaseState
from flare.defaults import (
    CHAT_RETRY,
    DRAINING_TTL,
    ONCE_TTL,
    OUTAGE_FIRST_WAIT,
    OUTAGE_MOST_WAIT,
    TOLD_TTL,
)
from flare.dlq import DeadLetters
from flare.jobs import Job, enqueue, enqueue_at, enqueue_in, enqueue_many, redraw_fold
from flare.metrics import Tally
from flare.store import NewCase
from flare.threads import threads_for
from flare.triage_context import RedisContext
from flare.words import Person, Words, from_json
from rules.conversation import Conversation
from rules.decision import Action, Decision, Priority
from rules.mention import Mention, Source
from workers import fold, teams
from workers.runtime import Runtime, current
from workers.send_budget import SendBudget

log = logging.getLogger(__name__)


def triage_batch(payload: list[dict[str, Any]]) -> dict[str, int]:
    """Decide a batch of mentions, store each case once, and queue what needs a person.

    One mention that cannot be triaged goes to the dead letters alone and the rest go on;
    only Redis failing fails the job (its retry changes nothing twice).
    """
    rt = current()
    now = rt.clock()
    counts = {"stored": 0, "cards": 0, "incidents": 0, "follow_ups": 0, "dead": 0}
    mentions: list[Mention] = []
    for raw in payload:
        try:
            mentions.append(Mention.model_validate(raw))
        except ValidationError as exc:
            _dead(rt, raw, f"not a mention: {exc.errors()[0]['msg']}", counts)
    try:
        decided = _decide(rt, mentions, now)
    except redis.RedisError:
        raise
    except Exception:  # one of them breaks the engine: decide each alone to find which
        log.exception("triage: a batch of %d failed; deciding each alone", len(mentions))
        decided = []
        for mention in mentions:
            try:
                decided += _decide(rt, [mention], now)
            except redis.RedisError:
                raise
            except Exception as exc:
                _dead(rt, mention.model_dump(mode="json"), _reason(exc), counts)
    open_topics = rt.paging.incidents.open_topics() if decided else set()
    batch = _batch_name(mentions)
    fresh = _store_new(rt, decided, now, counts, batch)
    fresh |= rt.store.pending(batch)  # stored by an earlier try that failed before acting
    recent_on_topic: dict[str, dict[str, float]] = {}
    cards: list[tuple[str, bool]] = []  # case id, and whether it goes before the others
    for mention, decision, conversation, _ in decided:
        try:
            if conversation is not None and _continues(conversation, decision):
                if rt.casework.followed_up(conversation.case_id, mention, decision):
                    counts["follow_ups"] += 1
            elif mention.id not in fresh:
                continue  # triaged before: a retried batch changes nothing twice
            elif not _rolled_up(rt, mention, decision, open_topics, counts):
                _act_on(rt, mention, decision, now, counts, recent_on_topic, cards)
        except redis.RedisError:
            raise
        except Exception as exc:
            _dead(rt, mention.model_dump(mode="json"), _reason(exc), counts)
    _remember_on_topic(rt, recent_on_topic, now)
    if cards and (rt.slack is not None or rt.teams is not None):
        enqueue_many(
            rt.redis, Job.NOTIFY_CASE, [((cid,), first) for cid, first in cards], retry=CHAT_RETRY
        )
    elif cards:
        log.info("no Slack or Teams set: %d cases kept in Redis, no cards posted", len(cards))
    rt.store.acted(batch)
    return counts


def _batch_name(mentions: list[Mention]) -> str:
    """The same name for a batch and its retries (RQ retries with the same payload)."""
    return hashlib.blake2b(" ".join(m.id for m in mentions).encode(), digest_size=12).hexdigest()


def triage_failed(
    job: RqJob, connection: redis.Redis, kind: type, value: BaseException, tb: Any
) -> None:
    """RQ calls this when a triage batch fails (it raised, or its worker died). While retries
    are left, nothing: the batch runs again. After the last, each mention goes to the dead
    letters, so a post marked seen reaches a decision or a dead letter, never neither."""
    if job.retries_left:
        return
    rt = current()
    why = f"triage failed for good: {kind.__name__}: {str(value)[:200]}"
    counts = {"dead": 0}
    for raw in job.args[0] if job.args else []:
        _dead(rt, raw, why, counts)
    log.error(
        "triage batch %s failed for good: %d mentions kept as dead letters", job.id, counts["dead"]
    )


Decided = tuple[Mention, Decision, Conversation | None, str | None]


def _decide(rt: Runtime, mentions: list[Mention], now: datetime) -> list[Decided]:
    """Each mention with its decision, the case it continues, if any, and the post it links to."""
    threads = threads_for(rt.store, mentions, rt.playbook.reopen_within)
    decisions = rt.engine.decide_many(mentions, RedisContext(rt.redis), now, threads.joins)
    return [
        (m, d, threads.joins.get(m.id), threads.links.get(m.id))
        for m, d in zip(mentions, decisions, strict=True)
    ]


ROLLED_UP = (Action.RESPOND, Action.IGNORE)  # no risk of their own: the incident answers them


def _continues(conversation: Conversation | None, decision: Decision) -> bool:
    """A customer's later post in a case's conversation joins that case (unless it is spam)."""
    return conversation is not None and decision.action is not Action.DROP


def _store_new(
    rt: Runtime, decided: list[Decided], now: datetime, counts: dict[str, int], batch: str
) -> set[str]:
    """Store each decided mention that starts a case, in one round trip; the ids stored now
    (a mention stored by an earlier run of the batch is not among them), each also listed as
    the batch's to act on."""
    handed_on = _handed_on(now)
    new = [
        NewCase(m, d, link, handed_on) for m, d, conv, link in decided if not _continues(conv, d)
    ]
    try:
        stored = rt.store.save_many(new, now, batch)
    except redis.RedisError:
        raise
    except Exception:  # one of them can't be written: store each alone to find which
        stored = []
        for case in new:
            try:
                stored += rt.store.save_many([case], now, batch)
            except redis.RedisError:
                raise
            except Exception as exc:
                stored.append(False)
                _dead(rt, case.mention.model_dump(mode="json"), _reason(exc), counts)
    fresh = {case.mention.id for case, was_new in zip(new, stored, strict=True) if was_new}
    counts["stored"] += len(fresh)
    return fresh


def _rolled_up(
    rt: Runtime,
    mention: Mention,
    decision: Decision,
    open_topics: set[str],
    counts: dict[str, int],
) -> bool:
    """A later mention of a topic whose incident is open, with nothing of its own that needs a
    person (no risk, no VIP, no danger), is counted on the incident: no card each, still
    findable from it. True when it was taken that way."""
    topic = decision.topic
    if topic not in open_topics or decision.action not in ROLLED_UP or not topic:
        return False
    rt.paging.open(topic, mention.id, "a later mention", complaint=decision.complaint)
    rt.store.note(mention.id, "flare", "rolled-up", rolled_into=topic)
    counts["rolled_up"] = counts.get("rolled_up", 0) + 1
    return True


def _act_on(
    rt: Runtime,
    mention: Mention,
    decision: Decision,
    now: datetime,
    counts: dict[str, int],
    recent_on_topic: dict[str, dict[str, float]],
    cards: list[tuple[str, bool]],
) -> None:
    """What a newly stored case needs besides its card: an incident opened or joined."""
    if decision.action in (Action.CRISIS, Action.ESCALATE_PR) and decision.topic:
        _remember_on_topic(rt, recent_on_topic, now)  # the cards an opening incident folds in
        recent_on_topic.clear()
    if decision.action is Action.CRISIS and decision.topic:
        loud = decision.vip or decision.spreading or decision.influential
        cause = _spike_cause(decision)
        opened = rt.paging.open(decision.topic, mention.id, cause, loud, decision.complaint)
        counts["incidents"] += opened.opened
        if not (decision.risks or decision.vip):
            return  # counted on the incident; a risk or a VIP of its own still gets a card
    if decision.action is Action.ESCALATE_PR and decision.topic:
        cause = "a post that may need PR"
        opened = rt.paging.open(decision.topic, mention.id, cause, complaint=decision.complaint)
        counts["incidents"] += opened.opened
    if decision.action.needs_person:
        counts["cards"] += 1
        if decision.topic:
            recent_on_topic.setdefault(decision.topic, {})[mention.id] = now.timestamp()
        cards.append((mention.id, decision.priority is Priority.P1))


def _handed_on(now: datetime) -> datetime:
    """When intake queued the triage batch running now (its job's enqueue time), else `now`."""
    job = get_current_job()
    at = job.enqueued_at if job is not None else None
    if at is None:
        return now
    return min(now, at if at.tzinfo else at.replace(tzinfo=UTC))


def _spike_cause(decision: Decision) -> str:
    """Why a spike opened the incident, saying so when the topic had no baseline yet: PR should
    know the count was judged against the rest of the traffic only."""
    spike = decision.signals.get("spike") or {}
    if spike.get("warm", True):
        return "a spike of complaints"
    return "a spike of complaints, judged cold: no usual level learned yet for this topic"


def _reason(exc: Exception) -> str:
    return f"triage failed: {type(exc).__name__}: {str(exc)[:300]}"


def _dead(rt: Runtime, raw: Any, error: str, counts: dict[str, int]) -> None:
    """Keep one mention triage could not take as a dead letter, and lift its dedupe mark, so
    `flare dlq replay` takes it in again once Flare can read it."""
    counts["dead"] += 1
    fields = raw if isinstance(raw, dict) else {}
    source = str(fields.get("source") or Source.REPLAY.value)
    body = json.dumps(raw, ensure_ascii=False, default=str).encode()
    DeadLetters(rt.redis).push(body, source, "triage", error)
    log.warning("triage: mention %s kept as a dead letter: %s", fields.get("id"), error)
    first = (fields.get("edit_history_ids") or [fields.get("id")])[0]  # as intake dedupes it
    if isinstance(first, str):
        rt.redis.delete(keys.seen(first))


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


def _post(
    rt: Runtime,
    channel: str,
    blocks: list[dict[str, Any]],
    text: str,
    thread_ts: str | None = None,
    card_of: str | None = None,
) -> Posted | float:
    """Post within the channel's send budget (in a card's thread when `thread_ts` is given),
    or say how long to wait: the caller schedules the job again for then, nothing sleeps.

    Slack busy (429) or down (5xx, no answer) is a wait too, however long it lasts: the post is
    never given up for it, and the leads hear once Slack takes posts again. Slack refusing the
    post itself (channel_not_found, invalid_blocks) raises.

    Every post is recorded before the call and carries Slack message metadata naming it: a
    case's card by its case (`card_of`), any other post by the job that sends it (each job
    sends one). A retry after an answer that never came (a timeout, a worker killed mid-call)
    looks for the post in the channel or thread first, so nothing is posted twice."""
    assert rt.slack is not None
    client = rt.slack.client
    budget = SendBudget(rt.redis, per_second=rt.settings.slack.send_per_second)
    wait = budget.try_acquire(channel)
    if wait:
        return wait
    mark, event, payload = _post_identity(card_of)
    meta = {"event_type": event, "event_payload": payload} if event else None
    try:
        if mark is not None:
            earlier = rt.redis.set(mark, time.time(), ex=ONCE_TTL, get=True)
            if earlier is not None:
                found = _posted_since(rt, channel, thread_ts, event, payload, float(earlier))
                if found is not None:
                    return found
        if thread_ts:
            posted = client.post_in_thread(channel, thread_ts, text, blocks or None, meta)
        elif not blocks:
            posted = client.post_text(channel, text, meta)
        else:
            posted = client.post_card(channel, blocks, text, meta)
    except SlackError as exc:
        if exc.retry_after:
            budget.backoff(channel, exc.retry_after)  # every worker holds off this channel
        if exc.passing:
            return _held_up(rt, channel, exc)
        if mark is not None:
            rt.redis.delete(mark)  # refused: certainly not in the channel
        raise
    _outage_over(rt, channel)
    return posted


def _cards_waiting(rt: Runtime, channel: str, before: float) -> float:
    """A line (a heads-up, a note for PR) yields to the cards waiting for the channel's slot
    that are more urgent than `before` (an urgency score): how long to put it off, 0 if none."""
    if rt.redis.zrangebyscore(keys.send_waiting(channel), "-inf", f"({before}", start=0, num=1):
        return 1.0 / rt.settings.slack.send_per_second
    return 0.0


def _later(rt: Runtime, wait: float, job: Job, *args: Any, first: bool = False) -> str:
    """Run `job` again once the channel's send budget (or Slack) has a slot for it (`first`:
    ahead of the jobs queued then). The run keeps the post's name, so a post sent by an earlier
    run whose answer was lost is found."""
    running = get_current_job()
    meta = {POST_KEY: _post_key(running)} if running is not None else None
    wait_for = timedelta(seconds=wait)
    enqueue_in(rt.redis, wait_for, job, *args, retry=CHAT_RETRY, meta=meta, at_front=first)
    return "deferred"


POST_KEY = "post_key"  # a job's meta: the name of the post it sends, kept from run to run


def _post_key(job: RqJob) -> str:
    return str(job.meta.get(POST_KEY) or job.id)


def notify_case(case_id: str) -> str:
    """Post the case's card, or redraw it if it is already in chat.

    When the channel has a backlog, the card joins it: the backlog goes out most urgent first.
    """
    rt = current()
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    case = rt.casework.watch_due(case)  # its timers, armed once: the card offers Snooze
    if rt.teams is not None:
        teams.follow(rt.redis, Job.TEAMS_CARD, case_id)
    if rt.slack is None:
        log.warning("no Slack bot token set: case %s kept in Redis, no card posted", case_id)
        return "no-slack"
    if rt.store.card(case_id):
        rt.slack.draw(case_id)
        _tell(rt, case)  # a retry after the card went up but before the heads-up did
        return "updated"
    channel = rt.settings.slack.channel_for(case.decision)  # its route (flare.routes)
    if rt.redis.zcard(keys.send_waiting(channel)):
        return _wait_for_slot(rt, channel, case, 0.0)
    blocks, text = card.render(case, rt.clock())
    posted = _post(rt, channel, blocks, text, card_of=case.id)
    if not isinstance(posted, Posted):
        return _wait_for_slot(rt, channel, case, posted)
    _carded(rt, case, posted)
    log.info("card posted in %s (%s)", posted.channel, case.decision.action.value)
    return "posted"


def _post_identity(card_of: str | None) -> tuple[str | None, str, dict[str, str]]:
    """How a post is known again: its attempt mark, and the metadata it carries. A case's card
    by its case; any other post by the job sending it; outside a job, not at all."""
    if card_of is not None:
        return keys.card_attempt(card_of), CARD_EVENT, {"case": card_of}
    job = get_current_job()
    if job is None:
        return None, "", {}
    key = _post_key(job)
    return keys.post_attempt(key), POST_EVENT, {"post": key}


def _posted_since(
    rt: Runtime,
    channel: str,
    thread_ts: str | None,
    event: str,
    payload: dict[str, str],
    attempt: float,
) -> Posted | None:
    """The post, if an attempt whose answer never came had put it in Slack. A channel Flare
    may not read (not a member, no history scope) is said in the log and the post is sent:
    twice at worst, never lost."""
    assert rt.slack is not None
    since = attempt - 60  # Slack's clock and ours may differ a little
    try:
        return rt.slack.client.find_posted(channel, event, payload, since, thread_ts)
    except SlackError as exc:
        if exc.passing:
            raise
        log.warning(
            "could not look in %s for a post whose answer was lost (%s): posting it; invite "
            "the app to the channel so a retried post is never sent twice",
            channel,
            exc.code,
        )
        return None


def _held_up(rt: Runtime, channel: str, exc: SlackError) -> float:
    """Slack is busy (429) or down for this channel: the seconds before its backlog is tried
    again. An outage is remembered, so the leads hear once it is over."""
    if exc.retry_after is not None:
        return exc.retry_after
    key = keys.slack_outage(channel)
    pipe = rt.redis.pipeline()
    pipe.hsetnx(key, "since", rt.clock().isoformat())
    pipe.hincrby(key, "tries", 1)
    pipe.expire(key, TOLD_TTL)
    tries = int(pipe.execute()[1])
    log.warning("Slack did not take a post for %s (%s): the cards wait", channel, exc.code)
    return min(OUTAGE_MOST_WAIT, OUTAGE_FIRST_WAIT * 2 ** min(tries - 1, 16))


def _outage_over(rt: Runtime, channel: str) -> None:
    """A post went through: if Slack had been down for this channel, tell the leads once."""
    key = keys.slack_outage(channel)
    if not rt.redis.exists(key):
        return
    pipe = rt.redis.pipeline()  # MULTI: one worker reads and ends the outage, and tells
    pipe.hget(key, "since")
    pipe.delete(key)
    since, ended = pipe.execute()
    if not ended:
        return
    line = nudges.slack_back(since.decode() if since else None, rt.leads())
    enqueue(rt.redis, Job.POST_MESSAGE, channel, [], line, retry=CHAT_RETRY)


def _carded(rt: Runtime, case: Case, posted: Posted) -> None:
    rt.store.set_card(case.id, posted.channel, posted.ts)
    rt.store.count("cards")
    ingested = rt.redis.hget(keys.case(case.id), "ingested_at")
    if ingested:
        waited = rt.clock() - datetime.fromisoformat(ingested.decode())
        Tally(rt.redis).observe("ingest_to_card", waited.total_seconds())
    if case.decision.action is Action.ESCALATE_PR:
        rt.store.count("escalations")
    rt.casework.watch_due(case)
    _tell(rt, case)


def _tell(rt: Runtime, case: Case) -> None:
    """Queue the heads-up under a new card, when the case's level calls for one."""
    if case.decision.action in nudges.TOLD_ABOUT and rt.slack is not None:
        enqueue(rt.redis, Job.TELL_CASE, case.id, retry=CHAT_RETRY)


def tell_case(case_id: str) -> str:
    """Under its card, once per case and level: the leads of a priority case, PR of a PR risk
    (again if a follow-up raises a priority case to a PR risk). Within the channel's budget
    like every post: a heads-up that meets a full channel waits for its slot."""
    rt = current()
    case = rt.store.get(case_id)
    if case is None or rt.slack is None:
        return "missing" if case is None else "no-slack"
    if case.decision.action not in nudges.TOLD_ABOUT:
        return "nothing to tell"
    where = rt.store.card(case.id)
    told = keys.case_told(case.id, case.decision.action)
    score = urgency(case.decision.priority, case.decision.due)
    if where is not None and (wait := _cards_waiting(rt, where[0], score)):
        return _later(rt, wait, Job.TELL_CASE, case_id)
    if where is None or not rt.redis.set(told, "1", nx=True, ex=TOLD_TTL):
        return "told before" if where else "no card"
    line = nudges.heads_up(case, rt.to_tell(case))
    try:
        posted = _post(rt, where[0], [], line, where[1])
    except SlackError:
        rt.redis.delete(told)  # the job's retry tells them
        raise
    if not isinstance(posted, Posted):
        rt.redis.delete(told)
        return _later(rt, posted, Job.TELL_CASE, case_id)
    if rt.teams is not None:
        teams.told(rt.redis, case.id, line)
    return "told"


def _wait_for_slot(rt: Runtime, channel: str, case: Case, wait: float) -> str:
    """Put the card in the channel's backlog, which one drain job at a time posts. A case
    claimed before it had a card (pulled from the fold) goes first: its holder waits for it."""
    d = case.decision
    score = Waiting(case.id, d.priority, d.due, pulled=case.state is CaseState.CLAIMED).score
    rt.redis.zadd(keys.send_waiting(channel), {case.id: score}, lt=True)  # moves only ahead
    _drain_later(rt, channel, wait)
    return "waiting"


def _drain_later(rt: Runtime, channel: str, wait: float) -> None:
    """Queue the channel's drain job unless one is queued or running already."""
    if not rt.redis.set(keys.send_draining(channel), "1", nx=True, ex=DRAINING_TTL):
        return
    # ahead of the queue: a flood queues thousands of card jobs, and the cards they add to the
    # backlog go out only as fast as the drain comes round
    if wait > 0:
        _later(rt, wait, Job.DRAIN_CHANNEL, channel, first=True)
    else:  # retried like every chat job: a drain lost to a Slack outage would strand the cards
        enqueue(rt.redis, Job.DRAIN_CHANNEL, channel, retry=CHAT_RETRY, at_front=True)


def drain_channel(channel: str) -> str:
    """Post the most urgent card waiting for this channel, then come back at the next slot while
    any are left. One drain per channel at a time; it reads only the card it posts."""
    rt = current()
    if rt.slack is None:
        return "no-slack"
    waiting = keys.send_waiting(channel)
    fold.review(rt, channel)  # a line longer than its targets allow folds its least urgent
    while True:
        top = rt.redis.zrange(waiting, 0, 0)
        if not top and fold.review(rt, channel, now_or_never=True):  # folded come back
            continue
        if not top:
            rt.redis.delete(keys.send_draining(channel))
            if rt.redis.zcard(waiting):  # a card joined as the drain let go
                _drain_later(rt, channel, 0.0)
            return "empty"
        case_id = top[0].decode()
        case = rt.store.get(case_id)
        routed = case is not None and rt.settings.slack.channel_for(case.decision) == channel
        if case is None or not routed or rt.store.card(case_id):
            # gone, routed elsewhere since (its card job put it in that channel's line), or
            # posted some other way meanwhile
            rt.redis.zrem(waiting, case_id)
            continue
        blocks, text = card.render(case, rt.clock())
        posted = _post(rt, channel, blocks, text, card_of=case.id)
        if not isinstance(posted, Posted):
            rt.redis.expire(keys.send_draining(channel), int(DRAINING_TTL + posted))
            _later(rt, posted, Job.DRAIN_CHANNEL, channel, first=True)
            return "deferred"
        rt.redis.zrem(waiting, case.id)
        _carded(rt, case, posted)
        if rt.redis.zcard(waiting) or rt.redis.zcard(keys.send_folded(channel)):
            rt.redis.expire(keys.send_draining(channel), DRAINING_TTL)
            enqueue(rt.redis, Job.DRAIN_CHANNEL, channel, retry=CHAT_RETRY, at_front=True)
        else:
            rt.redis.delete(keys.send_draining(channel))
        return case.id


def post_message(
    channel: str, blocks: list[dict[str, Any]], text: str, paging: list[str] | None = None
) -> str:
    """Post a message (not a case card) within the channel's send budget. `paging` (topic,
    incident id) marks a page's own line: it is dropped if the incident was acknowledged or
    closed while it waited for its slot, so no page goes out after either."""
    rt = current()
    if rt.slack is None:
        return "no-slack"
    if paging is not None:
        incident = rt.paging.incidents.get(paging[0])
        if incident is None or incident.id != paging[1] or incident.acknowledged:
            return "settled"
    args = (channel, blocks, text, paging)
    if wait := _cards_waiting(rt, channel, urgency(Priority.P1, None)):  # P1 cards first
        return _later(rt, wait, Job.POST_MESSAGE, *args)
    posted = _post(rt, channel, blocks, text)
    if not isinstance(posted, Posted):
        return _later(rt, posted, Job.POST_MESSAGE, *args)
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
    and say so once in its thread, to the holder if claimed, else to the leads. Only checks
    scheduled before the case timers (workers/timers.py) come here; both tell through one mark."""
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
    if rt.slack is not None and where is None:
        channel = rt.settings.slack.channel_for(case.decision)
        if rt.redis.zscore(keys.send_folded(channel), case_id) is not None:
            redraw_fold(rt.redis, channel)  # its line on the fold card now says it is late
            return "folded"  # its card, once posted, is checked again and nudged at once
    if rt.slack is None or where is None:
        return "no card"
    if not rt.redis.set(keys.case_overdue(case_id), "1", nx=True, ex=TOLD_TTL):
        return "told before"
    line = nudges.overdue(case, now, rt.leads())
    try:
        posted = _post(rt, where[0], [], line, where[1])
    except SlackError:
        rt.redis.delete(keys.case_overdue(case_id))
        raise
    if not isinstance(posted, Posted):  # the channel is full: at its next slot, still overdue
        rt.redis.delete(keys.case_overdue(case_id))
        return _later(rt, posted, Job.CHECK_DUE, case_id)
    rt.slack.draw(case_id)
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
    gap = rt.settings.slack.incident_edit_gap_ms
    if where and gap and not rt.redis.set(edited, "1", nx=True, px=gap):
        if rt.redis.set(pending, "1", nx=True, px=gap + 5_000):
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
