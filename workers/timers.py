"""The jobs of a case's timers: the reminder, the breach, each step of the chain, a lease's end.

Each job carries its timer's token and asks `flare.timers` first whether it may still fire: a
job whose case was answered, whose clock was restarted or snoozed, or that fired already does
nothing. A post goes out through `workers.jobs._post`, which names it after the job, so a run
cut short after Slack took the line finds it instead of posting it twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import card, nudges
from bot.slack_client import Posted, SlackError
from flare import keys
from flare.case import Case
from flare.defaults import TOLD_TTL
from flare.jobs import Job, enqueue_at
from flare.timers import BREACH, REMIND, step_name
from flare.words import Person, words
from workers import teams
from workers.jobs import _later, _post
from workers.runtime import Runtime, current

log = logging.getLogger(__name__)

FIRES = ("go", "resume")


def remind(case_id: str, token: str) -> str:
    """At a share of the target: a quiet line in the thread while nobody holds the case."""
    rt = current()
    at = rt.casework.timers.remind_at(case_id)
    early = at is not None and rt.clock() < at
    if early and at and rt.casework.timers.wanted(case_id, REMIND, token):  # look again then
        enqueue_at(rt.redis, at + timedelta(seconds=1), Job.REMIND, case_id, token)
        return "not yet"
    status = rt.casework.timers.claim(case_id, REMIND, token)
    if status not in FIRES:
        return status
    case = rt.store.get(case_id)
    why = _nothing_to_do(case)
    if why is None and case is not None and case.claimed_by:
        why = "held"
    if why is None and case is not None:
        due = rt.casework.timers.breach_at(case_id) or case.decision.due
        assert due is not None
        sent = _say(rt, case, nudges.reminder(case, rt.clock(), due), Job.REMIND, token)
        if sent == "deferred":
            return sent
        if sent == "told":
            rt.store.audit(case_id, "flare", "reminded", due=due.isoformat())
        why = None if sent == "told" else sent
    rt.store.note(case_id, "flare", None, remind_at=None)
    rt.casework.redraw(case_id)  # the Snooze button goes
    rt.casework.timers.done(case_id, REMIND, token)
    return why or "reminded"


def breach(case_id: str, token: str) -> str:
    """At the target, unanswered: the card is marked, the breach audited ("overdue"), the holder
    told (the leads if nobody holds it), and the chain's first step scheduled."""
    rt = current()
    timers = rt.casework.timers
    due = timers.breach_at(case_id)
    now = rt.clock()
    if (
        timers.wanted(case_id, BREACH, token) and due is not None and now < due
    ):  # a worker whose clock runs behind: look again then
        enqueue_at(rt.redis, due + timedelta(seconds=1), Job.BREACH, case_id, token)
        return "not yet"
    if _card_on_its_way(rt, case_id, due, now) and timers.wanted(case_id, BREACH, token):
        folded = _folded(rt, case_id)  # out of the line until pulled or back: no card soon
        enqueue_at(
            rt.redis, now + (FOLDED_WAIT if folded else CARD_WAIT), Job.BREACH, case_id, token
        )
        return "waiting for its card"  # Slack is down or the channel busy: tell under the card
    status = timers.claim(case_id, BREACH, token)
    if status not in FIRES:
        return status
    case = rt.store.get(case_id)
    why = _nothing_to_do(case)
    if why is not None or case is None or due is None:
        timers.done(case_id, BREACH, token)
        return why or "missing"
    if status == "go":
        rt.store.note(case_id, "flare", None, breached_at=now.isoformat())
        rt.store.audit(case_id, "flare", "overdue", due=due.isoformat())
    timers.schedule_step(case_id, token, 1, due)  # before telling, as a page schedules its next
    told = "told before"
    fresh = rt.redis.set(keys.case_overdue(case_id), "1", nx=True, ex=TOLD_TTL)
    if fresh or status == "resume":  # a run cut short: its post, if it went out, is found
        line = nudges.overdue(case, now, rt.leads())
        try:
            told = _say(rt, case, line, Job.BREACH, token, overdue=True)
        except SlackError:
            rt.redis.delete(keys.case_overdue(case_id))
            raise
        if told == "deferred":
            rt.redis.delete(keys.case_overdue(case_id))
            return told
    rt.casework.redraw(case_id)  # marked overdue, in Slack and Teams
    timers.done(case_id, BREACH, token)
    return "breached" if told != "told before" else told


def breach_step(case_id: str, token: str, index: int) -> str:
    """A step of the chain after the breach, while nobody answers or says they are on it."""
    rt = current()
    timers = rt.casework.timers
    timer = step_name(index)
    status = timers.claim(case_id, timer, token)
    if status not in FIRES:
        return status
    case = rt.store.get(case_id)
    due = timers.breach_at(case_id)
    why = _nothing_to_do(case)
    if why is not None or case is None or due is None:
        timers.done(case_id, timer, token)
        return why or "missing"
    timers.schedule_step(case_id, token, index + 1, due)
    people = _people(rt, case, timers.clockwork.tells(index))
    line = nudges.still_overdue(case, rt.clock(), due, people)
    sent = _say(rt, case, line, Job.BREACH_STEP, token, index, overdue=True)
    if sent == "deferred":
        return sent
    if sent == "told":
        rt.store.audit(case_id, "flare", "still_overdue", step=index, told=people)
    timers.done(case_id, timer, token)
    return sent


def lease_end(case_id: str, until_ms: str) -> str:
    """A claim's lease ran out: the case is released, and its card and thread say so."""
    rt = current()
    holder = rt.casework.timers.lapse(case_id, until_ms)
    if holder is None:
        return "renewed"  # released, closed, claimed again or taken over meanwhile
    until = datetime.fromtimestamp(int(until_ms) / 1000, UTC)
    rt.store.audit(case_id, "flare", "lease_expired", holder=holder, until=until.isoformat())
    line = words(
        "⌛ ",
        Person(holder),
        f"'s claim ran out at {until:%H:%M} UTC: the case is open for anyone to claim.",
    )
    rt.casework.changed(case_id, line)
    return "released"


CARD_WAIT = timedelta(minutes=1)  # a breach whose card is not in chat yet looks again after this
FOLDED_WAIT = timedelta(minutes=10)  # the same for a folded card: a flood folds thousands
CARD_WAIT_MOST = timedelta(days=1)  # and gives up waiting (it still audits) after this


def _card_on_its_way(rt: Runtime, case_id: str, due: datetime | None, now: datetime) -> bool:
    """Slack is set up but the case's card is not in the channel yet (it waits for its slot, or
    for Slack to come back): the breach waits for it, a day at most."""
    if rt.slack is None or rt.store.card(case_id) is not None or due is None:
        return False
    return now < due + CARD_WAIT_MOST


def _folded(rt: Runtime, case_id: str) -> bool:
    """The case's card is folded out of its channel's line (flare.backlog)."""
    case = rt.store.get(case_id)
    if case is None:
        return False
    channel = rt.settings.slack.channel_for(case.decision)
    return rt.redis.zscore(keys.send_folded(channel), case_id) is not None


def _nothing_to_do(case: Case | None) -> str | None:
    """Why a timer tells nobody: the case is gone, closed or answered; None if it must."""
    if case is None:
        return "missing"
    if case.closed:
        return case.state.value
    if not case.awaiting_answer:
        return "answered"
    return None


def _people(rt: Runtime, case: Case, tells: tuple[str, ...]) -> list[str]:
    """A step's "leads", "holder" and Slack ids as mentions; the holder when nobody holds it is
    the leads."""
    people: list[str] = []
    for who in tells:
        if who == "leads" or (who == "holder" and not case.claimed_by):
            people += rt.leads()
        elif who == "holder":
            people.append(f"<@{case.claimed_by}>")
        else:
            people.append(f"<@{who}>")
    return list(dict.fromkeys(people))


def _say(rt: Runtime, case: Case, line: str, job: Job, *args: Any, overdue: bool = False) -> str:
    """Post a timer's line in the card's thread within the channel's budget (with I'm on it
    when `overdue`), and in Teams' thread; "deferred" when it must wait for a slot."""
    where = rt.store.card(case.id)
    if rt.slack is None or where is None:
        if rt.teams is not None:
            teams.told(rt.redis, case.id, line)
            return "told"
        return "no card"
    blocks = card.overdue_blocks(case.id, line) if overdue else []
    posted = _post(rt, where[0], blocks, line, where[1])
    if not isinstance(posted, Posted):
        return _later(rt, posted, job, case.id, *args)
    if rt.teams is not None:
        teams.told(rt.redis, case.id, line)
    return "told"
