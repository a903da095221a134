"""Small builders for mentions and decisions, so tests say only what matters to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rules.context import MemoryContext
from rules.decision import Action, Decision, Priority
from rules.engine import Engine
from rules.mention import Author, Mention, Metrics

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def mention(
    id: str = "1001",
    text: str = "@acme my order never arrived",
    *,
    username: str = "dana",
    followers: int = 120,
    created_at: datetime = NOON,
    **extra: Any,
) -> Mention:
    return Mention(
        id=id,
        text=text,
        created_at=created_at,
        author=Author(
            id=f"u-{username}", username=username, name=username.title(), followers=followers
        ),
        metrics=extra.pop("metrics", Metrics()),
        mentioned=extra.pop("mentioned", ("acme",)),
        **extra,
    )


def decision(
    m: Mention, action: Action = Action.RESPOND, priority: Priority = Priority.P3, **extra: Any
) -> Decision:
    return Decision(
        mention_id=m.id,
        action=action,
        priority=priority,
        due=extra.pop("due", m.created_at + timedelta(minutes=30)),
        reasons=extra.pop("reasons", ("complaint: order never arrived",)),
        **extra,
    )


SOON = NOON + timedelta(minutes=2)


def decide(engine: Engine, text: str, now: datetime = SOON, **kw: Any) -> Decision:
    """What the engine decides for one post, alone, a moment after noon."""
    return engine.decide(mention(text=text, **kw), MemoryContext(), now)
