"""The one card of an incident, edited in place as complaints on its topic come in."""

from __future__ import annotations

from datetime import datetime

from bot.card import Block
from bot.mrkdwn import escape, fit
from flare.case import Case
from flare.incidents import Incident
from rules.units import count, duration


def render(incident: Incident, recent: list[Case], now: datetime) -> tuple[list[Block], str]:
    opened = duration(now - incident.opened_at)
    title = f"🚨 Crisis · {incident.topic} · {count(incident.count)} complaints in {opened}"
    # Five posts share one section of at most 3,000 characters, escapes included.
    lines = [
        f"• @{fit(c.mention.author.username or c.mention.author.id, 60)}: "
        f"{fit(' '.join(c.mention.text.split()), 400)}"
        for c in recent[:5]
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
                    f"`{fit(incident.topic, 200)}`",
                }
            ],
        },
    ]
    return blocks, escape(title)  # the notification text is mrkdwn
