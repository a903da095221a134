"""The /flare slash command: quick Redis reads, answered in the ack itself, only to the caller."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import redis
from slack_bolt import Ack, App

from bot import views
from bot.card import Block
from bot.mrkdwn import escape
from flare.queries import Queries

Clock = Callable[[], datetime]
COMMAND = "/flare"

log = logging.getLogger(__name__)


def answer(text: str, user: str, queries: Queries, now: datetime) -> tuple[list[Block], str]:
    """Blocks and fallback text for `/flare <text>` typed by `user`."""
    words = text.split()
    sub = words[0].lower() if words else "help"
    if sub == "status":
        by_priority = queries.open_by_priority()
        soon, late, incidents = queries.due_soon(now), queries.breached(now), queries.incidents()
        return (
            views.status_blocks(by_priority, soon, late, incidents, now),
            views.status_text(by_priority, soon, late, incidents),
        )
    if sub == "mine":
        mine = queries.claimed_by(user)
        return views.mine_blocks(mine, now), f"You hold {len(mine)} Flare case(s)."
    if sub == "crisis":
        incidents = queries.incidents()
        return views.crisis_blocks(incidents, now), f"{len(incidents)} open incident(s)."
    if sub == "help":
        return views.help_blocks(), "Flare commands: status, mine, crisis, help."
    unknown = escape(words[0][:50])
    return views.help_blocks(unknown=words[0]), f"Unknown subcommand '{unknown}': try /flare help."


def register(app: App, queries: Queries, clock: Clock) -> None:
    """Add the /flare command to the app."""

    @app.command(COMMAND)
    def flare_command(ack: Ack, command: dict[str, Any]) -> None:
        try:
            blocks, text = answer(command.get("text") or "", command["user_id"], queries, clock())
        except redis.RedisError:
            log.exception("/flare could not read Redis")
            ack(
                text="Flare cannot read its queue right now; try again in a minute.",
                response_type="ephemeral",
            )
            return
        ack(blocks=blocks, text=text, response_type="ephemeral")
