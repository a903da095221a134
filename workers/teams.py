"""The Teams jobs: a case's card posted and redrawn, its thread's lines, pages settled.

Each runs beside Slack's job for the same change (queued by it), so an outage of one surface
delays only that surface. Posts to a conversation take a slot of the same send budget as
Slack's (`SendBudget`, keyed by the conversation, at Teams' pace); a 429 holds the
conversation for every worker, and the job runs again when it may.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import redis

from bot.teams.connector import Sent, TeamsError
from bot.teams.markdown import from_mrkdwn
from flare import keys
from flare.defaults import CHAT_RETRY, ONCE_TTL, PAGE_RETRY
from flare.jobs import Job, enqueue, enqueue_in
from flare.words import Outside, Person, Words, from_json, to_json, words
from workers.runtime import Runtime, current
from workers.send_budget import SendBudget
from workers.x_client import XError

_BUDGET = "teams:{}"  # a conversation's budget, apart from any Slack channel's
PENDING_TTL = 900  # seconds a card may wait for its slot before another job may post it
BRAND_REPLIED_TTL = 3600  # seconds "the brand already replied" holds before X is asked again

log = logging.getLogger(__name__)


def follow(client: redis.Redis, job: Job, *args: Any) -> None:
    """Queue Teams' half of a change, retried like every chat job."""
    enqueue(client, job, *args, retry=CHAT_RETRY)


def _slot(rt: Runtime, conversation: str) -> float:
    assert rt.teams is not None
    budget = SendBudget(rt.redis, per_second=rt.teams.settings.send_per_second)
    return budget.try_acquire(_BUDGET.format(conversation.split(";")[0]))


def _held(rt: Runtime, conversation: str, exc: TeamsError) -> None:
    """Teams throttled the conversation: every worker holds off it for as long as it said."""
    if exc.status == 429 and exc.retry_after is not None:
        assert rt.teams is not None
        budget = SendBudget(rt.redis, per_second=rt.teams.settings.send_per_second)
        budget.backoff(_BUDGET.format(conversation.split(";")[0]), exc.retry_after)


def _later(rt: Runtime, wait: float, job: Job, *args: Any) -> str:
    enqueue_in(rt.redis, timedelta(seconds=wait), job, *args, retry=CHAT_RETRY)
    return "deferred"


def post_card(case_id: str, waited: bool = False) -> str:
    """Put the case's card in the team channel, or redraw it if it is there already.

    One job posts a case's card: the first takes a mark, which a job put off for a send slot
    (`waited`) keeps; a failure drops it, so the job's retry may post.
    """
    rt = current()
    if rt.teams is None:
        return "no-teams"
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    if rt.teams.card(case_id):
        return draw_card(case_id)
    channel = rt.teams.channel_for(case)
    if not channel:
        return "no channel"  # Teams for pages only
    pending = keys.teams_card_pending(case_id)
    if not waited and not rt.redis.set(pending, "1", nx=True, ex=PENDING_TTL):
        return "pending"  # another job is posting it
    wait = _slot(rt, channel)
    if wait:
        return _later(rt, wait, Job.TEAMS_CARD, case_id, True)
    try:
        rt.teams.post(case)
    except Exception as exc:
        rt.redis.delete(pending)
        if isinstance(exc, TeamsError):
            _held(rt, channel, exc)
        raise
    rt.redis.delete(pending)
    return "posted"


def draw_card(case_id: str) -> str:
    """Redraw the case's card for everyone in Teams (edits are not counted against the budget:
    the Slack redraw that queued this one already spaced them by the redraw gap)."""
    rt = current()
    if rt.teams is None:
        return "no-teams"
    return "drawn" if rt.teams.draw(case_id) else "no card"


def post_note(case_id: str, line: list[Any]) -> str:
    """A line of the case's activity in its Teams card's thread, within the budget."""
    rt = current()
    if rt.teams is None:
        return "no-teams"
    where = rt.teams.card(case_id)
    if where is None and rt.redis.exists(keys.teams_card_pending(case_id)):
        return _later(rt, 1.0, Job.TEAMS_NOTE, case_id, line)  # its card waits for a slot
    if where is None:
        return "no card"
    wait = _slot(rt, where[0])
    if wait:
        return _later(rt, wait, Job.TEAMS_NOTE, case_id, line)
    try:
        sent = rt.teams.note(case_id, from_json(line))
    except TeamsError as exc:
        _held(rt, where[0], exc)
        raise
    return sent.id if isinstance(sent, Sent) else "no card"


def check_conversation(case_id: str) -> bool:
    """Whether the brand already replied in the case's conversation on X: if so, the holder's
    card says it and asks for a tick before another reply (their Teams refreshes it)."""
    rt = current()
    case = rt.store.get(case_id)
    if case is None or rt.x is None or rt.teams is None:
        return False
    try:
        answered = rt.x.has_brand_replied(case.mention.conversation_id or case.mention.id)
    except XError as exc:
        log.warning("could not check the conversation of case %s: %s", case_id, exc)
        return False
    if answered:
        rt.redis.set(keys.teams_brand_replied(case_id), "1", ex=BRAND_REPLIED_TTL)
        follow(rt.redis, Job.TEAMS_DRAW, case_id)
    return answered


def told(client: redis.Redis, case_id: str, line: str) -> None:
    """What Slack's card thread was just told (a heads-up, an overdue nudge), in Teams' too."""
    follow(client, Job.TEAMS_NOTE, case_id, to_json(from_mrkdwn(line)))


def ask_again(client: redis.Redis, topic: str, incident_id: str, user: str, why: str) -> None:
    """For `workers.pages.jump_notice`: ask the acknowledger again in Teams too, as a job of its
    own on the page queue, so neither surface's failure holds up the other's."""
    enqueue(client, Job.TEAMS_JUMP_NOTICE, topic, incident_id, user, why, retry=PAGE_RETRY)


def jump_notice(topic: str, incident_id: str, user: str, why: str) -> str:
    """The incident jumped after `user` acknowledged it: ask again in their chat with Flare,
    once per re-arming, unless it was acknowledged again or closed meanwhile."""
    rt = current()
    if rt.teams is None or not rt.teams.reaches(user):
        return "not in teams"
    incident = rt.paging.incidents.get(topic)
    if incident is None or incident.id != incident_id or incident.acknowledged:
        return "settled"
    rearmed = rt.redis.hget(keys.incident(topic), "token") or b""
    mark = keys.page_sent(incident_id, rearmed.decode(), "jump-teams")
    if not rt.redis.set(mark, "1", nx=True, ex=ONCE_TTL):
        return "told"
    try:
        rt.teams.jump(incident, user, why)
    except Exception:
        rt.redis.delete(mark)
        raise
    return "told"


def pages_settled(client: redis.Redis, incident_id: str, line: Words) -> None:
    """Have the incident's pages in Teams lose their buttons, saying what became of them."""
    enqueue(client, Job.TEAMS_SETTLE_PAGES, incident_id, to_json(line), retry=CHAT_RETRY)


def acknowledged(topic: str, user: str) -> Words:
    return words(
        "✅ ", Person(user), " acknowledged the ", Outside(topic), " incident: paging stopped."
    )


def closed(topic: str, user: str) -> Words:
    return words("☑️ ", Person(user), " closed the ", Outside(topic), " incident.")


def settle_pages(incident_id: str, line: list[Any]) -> int:
    rt = current()
    if rt.teams is None:
        return 0
    return rt.teams.settle_pages(incident_id, from_json(line))
