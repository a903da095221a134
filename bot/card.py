"""The Slack card of a case, as Block Kit: a pure function of the case and the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.action_ids import ActionId
from bot.mrkdwn import clip, escape, fit, link, say
from bot.payloads import button_value
from flare.case import Case, CaseState
from flare.status import can_reply_publicly, status_lines
from rules.decision import Action, Priority
from rules.units import count, duration

Block = dict[str, Any]

_ACTION_LABEL = {
    Action.RESPOND: "Respond",
    Action.PRIORITY: "Priority: tell the lead",
    Action.ESCALATE_PR: "Escalate to PR",
    Action.CRISIS: "Crisis",
    Action.IGNORE: "Ignore",
    Action.HARASSMENT: "Harassment",
    Action.THANK: "Thank",
    Action.DROP: "Drop",
}
PRIORITY_MARK = {Priority.P1: "🔴", Priority.P2: "🟠", Priority.P3: "🟡", Priority.P4: "🟢"}
SECTION_TEXT = 3000  # Slack refuses a section whose text is longer
HEADER_TEXT = 150
BLOCK_ID = 255
_MAX_POST = 2900
_MAX_WHO = 200  # an author's name and handle: X caps them far lower, a webhook need not


def _button(label: str, action: ActionId, case_id: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "action_id": action.value,
        "text": {"type": "plain_text", "text": label},
        "value": button_value(case_id),
    }
    if style:
        button["style"] = style
    return button


def buttons_for(case: Case, now: datetime | None = None) -> list[Block]:
    """The buttons that fit the case's state; values carry the case id only. Snooze while a
    reminder waits (as of `now`) on a case nobody holds."""
    cid = case.id
    if case.state is CaseState.OPEN:
        claim = _button("Claim", ActionId.CLAIM, cid, "primary")
        if case.remind_at and (now is None or case.remind_at > now):
            return [claim, _button("Snooze reminder", ActionId.SNOOZE, cid)]
        return [claim]
    if case.state is CaseState.CLAIMED:
        work = (
            [
                _button(
                    "Reply anyway" if case.rolled_into else "Reply", ActionId.REPLY, cid, "primary"
                )
            ]
            if can_reply_publicly(case)
            else []
        )
        return [
            *work,
            _button("DM", ActionId.DM, cid),
            _button("Escalate to PR", ActionId.ESCALATE, cid, "danger"),
            _button("Resolve…", ActionId.CLOSE, cid),
            _button("Release", ActionId.RELEASE, cid),
            _button("Take over", ActionId.TAKE_OVER, cid),
        ]
    return [_button("Reopen", ActionId.REOPEN, cid)]


def headline(case: Case) -> str:
    d = case.decision
    mark = PRIORITY_MARK[d.priority] if d.priority else "⚪"
    parts = [f"{mark} {d.priority.value if d.priority else '--'}", _ACTION_LABEL[d.action]]
    if d.topic:
        parts.append(d.topic)
    if d.late:
        parts.append("LATE")
    if case.breached_at and not case.closed and case.awaiting_answer:
        parts.append("⏰ OVERDUE")
    return " · ".join(parts)


def render(case: Case, now: datetime) -> tuple[list[Block], str]:
    """Blocks and the notification text of a case's card."""
    m, d = case.mention, case.decision
    author = m.author
    who = clip(f"{author.name or author.username} (@{author.username or author.id})", _MAX_WHO)
    author_facts = [f"{count(author.followers)} followers"]
    if author.verified:
        author_facts.append("verified")
    spread = (
        f"{count(m.metrics.reposts)} reposts · {count(m.metrics.quotes)} quotes · "
        f"{count(m.metrics.replies)} replies · posted {duration(now - m.created_at)} ago"
    )
    post = clip(m.text, _MAX_POST) if m.text.strip() else "(the post has no text)"
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clip(headline(case), HEADER_TEXT)},
        },
        {
            "type": "section",
            "text": {"type": "plain_text", "text": f"{who} · {' · '.join(author_facts)}"},
        },
        {"type": "section", "text": {"type": "plain_text", "text": post, "emoji": False}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(spread)}]},
    ]
    blocks += _follow_ups(case, now)
    if d.reasons:
        why = "*Why:* " + fit(" · ".join(d.reasons), SECTION_TEXT - len("*Why:* "))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": why}})
    status = _status_line(case, now)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": status}]})
    blocks.append(
        {
            "type": "actions",
            "block_id": f"case:{case.id}"[:BLOCK_ID],
            "elements": buttons_for(case, now),
        }
    )
    # The notification text is mrkdwn too: a post must not ping the channel from there either.
    text = f"{headline(case)}: @{escape(author.username or author.id)}: {fit(m.text, 120)}"
    return blocks, text


_FOLLOW_UPS = 3  # the customer's latest posts shown on the card; the thread has every one
_MAX_FOLLOW_UP = 1000


def _follow_ups(case: Case, now: datetime) -> list[Block]:
    """The customer's later posts in the conversation, newest last, as plain text."""
    later = case.follow_ups[-_FOLLOW_UPS:]
    blocks: list[Block] = []
    if len(case.follow_ups) > len(later):
        hidden = len(case.follow_ups) - len(later)
        more = f"{hidden} earlier message{'s' if hidden > 1 else ''} from the customer"
        blocks.append({"type": "context", "elements": [{"type": "plain_text", "text": more}]})
    for post in later:
        age = duration(now - post.created_at)
        text = clip(f"↩ The customer wrote again, {age} ago: {post.text}", _MAX_FOLLOW_UP)
        blocks.append(
            {"type": "section", "text": {"type": "plain_text", "text": text, "emoji": False}}
        )
    return blocks


def gone(case_id: str) -> list[Block]:
    """The card of a case Flare no longer has: no buttons left to click on nothing."""
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "This case is no longer in Flare (it expired or was cleared), "
                "so there is nothing left to act on here.",
            },
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Case {fit(case_id, 200)}"}]},
    ]


def _status_line(case: Case, now: datetime) -> str:
    parts = [link(case.mention.url, "Open on X")]
    parts += [say(line) for line in status_lines(case, now)]
    if case.reply_url:
        parts.append(link(case.reply_url, "Open the reply"))
    return " · ".join(parts)


def _quoted(draft: str) -> str:
    """A reply draft as a Slack quote, escaped and short enough for one section."""
    return ">" + fit(draft, 1400).replace("\n", "\n>")


def settled_approval(text: str, outcome: str) -> list[Block]:
    """An approval request once decided or replaced: the draft, what became of it, no buttons."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": _quoted(text)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": outcome}]},
    ]


def overdue_blocks(case_id: str, line: str) -> list[Block]:
    """A line in the card's thread about a case past its target, with I'm on it, which stops
    the chain of such lines."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": fit(line, SECTION_TEXT)}},
        {
            "type": "actions",
            "block_id": f"overdue:{case_id}"[:BLOCK_ID],
            "elements": [_button("I'm on it", ActionId.ON_IT, case_id, "primary")],
        },
    ]


def approval_blocks(case_id: str, author: str, text: str) -> list[Block]:
    """The thread message asking a lead (or PR) to approve a drafted public reply."""
    ask = f"<@{author}> drafted a public reply that needs a lead's approval:\n{_quoted(text)}"
    return [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": ask},
        },
        {
            "type": "actions",
            "block_id": f"approval:{case_id}"[:BLOCK_ID],
            "elements": [
                _button("Approve and post", ActionId.APPROVE_REPLY, case_id, "primary"),
                _button("Send back", ActionId.REJECT_REPLY, case_id),
            ],
        },
    ]


CARD_EVENT = "flare_case_card"  # Slack message metadata: this message is a case's card
