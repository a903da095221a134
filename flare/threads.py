"""Which case a customer's later post joins: the conversations triage reads from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flare.store import Store
from rules.conversation import Conversation
from rules.mention import Mention


@dataclass(frozen=True)
class Threads:
    joins: dict[str, Conversation] = field(default_factory=dict)  # by mention id: its case
    links: dict[str, str] = field(default_factory=dict)  # by mention id: a case closed long ago


def threads_for(store: Store, mentions: list[Mention], reopen_within: timedelta) -> Threads:
    """The open (or recently closed) case each mention continues, and the older cases a new
    case links to. Only the customer's own later posts join: someone else who writes in the
    conversation has a case of their own."""
    found = store.threads_of(mentions)
    if not found:
        return Threads()
    cases = {c.id: c for c in store.get_many(sorted(set(found.values())))}
    by_id = {m.id: m for m in mentions}
    threads = Threads()
    for mention_id, case_id in found.items():
        case, mention = cases.get(case_id), by_id[mention_id]
        if case is None or case.mention.author.id != mention.author.id:
            continue
        closed_at = case.closed_at or (case.stored_at if case.closed else None)
        if closed_at is not None and mention.created_at - closed_at > reopen_within:
            threads.links[mention_id] = case_id
            continue
        threads.joins[mention_id] = Conversation(
            case_id=case.id,
            decision=case.decision,
            turns=case.posts,
            closed_at=closed_at,
            answered=not case.awaiting_answer,
        )
    return threads
