"""A busy channel's "N more waiting" card, as Block Kit: the cases folded out of its line, and a
button to pull the next one. A pure function of the folded cases and the clock."""

from __future__ import annotations

from datetime import datetime

from bot.action_ids import ActionId
from bot.card import PRIORITY_MARK, Block
from bot.mrkdwn import escape, fit
from bot.payloads import fold_value
from flare.case import Case
from rules.units import count, duration

LISTED = 8  # cases shown on the card; the rest are counted
SNIPPET = 120


def render(channel: str, listed: list[Case], total: int, now: datetime) -> tuple[list[Block], str]:
    """The card: how many wait, the most urgent `listed` of them (the next one pulled first),
    how many more, and Pull. With none left it says so and has no button."""
    if total <= 0:
        text = "✅ Nothing more waiting: every case here has its card."
        return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}], text
    title = f"⏳ {count(total)} more case{'s' if total != 1 else ''} waiting"
    said = (
        "Slack takes about one card a second in a channel, and these would reach you after "
        "their response target. *Pull the next one* to card it here and claim it; the rest "
        "get their cards as the line shortens."
    )
    lines = [_line(case, now) for case in listed[:LISTED]]
    beyond = total - len(lines)
    if beyond > 0:
        lines.append(f"…and {count(beyond)} more.")
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        {"type": "section", "text": {"type": "mrkdwn", "text": said}},
    ]
    if lines:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}})
    blocks.append(
        {
            "type": "actions",
            "block_id": f"fold:{channel}"[:255],
            "elements": [
                {
                    "type": "button",
                    "action_id": ActionId.PULL.value,
                    "text": {"type": "plain_text", "text": "Pull the next one"},
                    "style": "primary",
                    "value": fold_value(channel),
                }
            ],
        }
    )
    return blocks, escape(title)


def _line(case: Case, now: datetime) -> str:
    """One folded case: priority, author, a snippet, its age and how it stands to its target."""
    decision = case.decision
    mark = "·"
    if decision.priority:
        mark = f"{PRIORITY_MARK[decision.priority]} {decision.priority.value}"
    who = fit(case.mention.author.username or case.mention.author.id, 60)
    snippet = fit(" ".join(case.mention.text.split()), SNIPPET)
    age = duration(now - case.mention.created_at)
    line = f"{mark} · @{who} · “{snippet}” · {age} old"
    if decision.due is not None:
        if decision.due <= now:
            line += f" · ⏰ {duration(now - decision.due)} past its target"
        else:
            line += f" · due in {duration(decision.due - now)}"
    return line
