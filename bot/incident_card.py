"""The one card of an incident, edited in place as complaints on its topic come in."""

from __future__ import annotations

from datetime import datetime

from bot.card import Block, escape
from flare.case import Case
from flare.incidents import Incident


def render(incident: Incident, recent: list[Case], now: datetime) -> tuple[list[Block], str]:
    minutes = max(1, int((now - incident.opened_at).total_seconds() // 60))
    title = f"🚨 Crisis · {incident.topic} · {incident.count} complaints in {minutes} min"
    lines = [
        f"• @{escape(c.mention.author.username or c.mention.author.id)}: "
        f"{escape(c.mention.text[:140])}"
        for c in recent
    ]
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "One incident, one statement: do not answer these one by one in public. "
                "PR owns the statement; individual cards for this topic are rolled up here.",
            },
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Latest:*\n" + "\n".join(lines)}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Opened {incident.opened_at:%H:%M} UTC · topic "
                    f"`{escape(incident.topic)}`",
                }
            ],
        },
    ]
    return blocks, title
