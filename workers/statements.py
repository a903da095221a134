"""Jobs for an incident's statement in chat: the approval request in the incident card's thread,
and the request settled once its draft is decided or replaced."""

from __future__ import annotations

import contextlib
from typing import Any

from bot import card, incident_card
from bot.mrkdwn import say
from bot.slack_client import SlackError
from flare import keys
from flare.words import Person, Words, from_json, words
from workers.runtime import Runtime, current


def thread_of(rt: Runtime, topic: str) -> tuple[str, str | None]:
    """Where an incident's lines go: the incident card's thread, or PR's channel before the card
    is up."""
    where = rt.redis.hgetall(keys.incident_card(topic))
    if where:
        return where[b"channel"].decode(), where[b"ts"].decode()
    return rt.settings.slack.pr_channel, None


def say_in_thread(rt: Runtime, topic: str, text: str, blocks: list[Any] | None = None) -> str:
    """Post in the incident's thread (or PR's channel); returns the message's ts."""
    assert rt.slack is not None
    channel, thread = thread_of(rt, topic)
    client = rt.slack.client
    if thread is None:
        posted = (
            client.post_card(channel, blocks, text) if blocks else client.post_text(channel, text)
        )
    else:
        posted = client.post_in_thread(channel, thread, text, blocks)
    return posted.ts


def ask_approval(
    topic: str, incident_id: str, draft_id: str, author: str, text: str, replaced: list[str] | None
) -> str:
    """Post a statement draft with Approve and Send back, and retire the request it replaces, so
    only the words shown can be approved."""
    rt = current()
    if rt.slack is None:
        return "no-slack"
    if replaced and replaced[0]:
        ts, old = replaced
        _settle(rt, topic, ts, old, words("Replaced by a newer draft from ", Person(author), "."))
    statements = rt.statements
    if not statements.waiting(topic, incident_id, draft_id):
        return "decided"  # approved, sent back or replaced before this job ran
    blocks = incident_card.statement_request(topic, incident_id, draft_id, author, text)
    ts = say_in_thread(rt, topic, "A statement awaits approval", blocks)
    if not statements.asked(topic, incident_id, draft_id, ts):
        # replaced while this was being posted: the newer request is the one to use
        _settle(rt, topic, ts, text, words("Replaced by a newer draft."))
        return "replaced"
    return ts


def settle_request(topic: str, ts: str, text: str, outcome: list[Any]) -> str:
    """Take the buttons off a statement request, saying what became of its draft."""
    rt = current()
    if rt.slack is None:
        return "no-slack"
    _settle(rt, topic, ts, text, from_json(outcome))
    return "settled"


def _settle(rt: Runtime, topic: str, ts: str, text: str, outcome: Words) -> None:
    assert rt.slack is not None
    channel, _ = thread_of(rt, topic)
    blocks = card.settled_approval(text, say(outcome))
    with contextlib.suppress(SlackError):  # e.g. the message was deleted meanwhile
        rt.slack.client.update_card(channel, ts, blocks, say(outcome))
