"""An incident in Slack: its one card, edited in place, the pages its chain sends, and the lines
PR's channel reads as the chain runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.action_ids import ActionId
from bot.card import Block
from bot.mrkdwn import escape, fit
from bot.payloads import incident_value, statement_value
from flare.case import Case
from flare.incidents import Incident
from flare.statements import post_url as statement_url
from rules.crisis import Contact, Step
from rules.units import count, duration


def render(incident: Incident, recent: list[Case], now: datetime) -> tuple[list[Block], str]:
    """The incident card: how big, who is paged or who acknowledged, the latest posts."""
    opened = duration(now - incident.opened_at)
    flood = incident.count > 1
    posts = f"{count(incident.count)} complaint{'s' if incident.count != 1 else ''}"
    kind = "Crisis" if flood else "PR risk"
    title = f"{_drill(incident)}🚨 {kind} · {incident.topic} · {posts} in {opened}"
    said = (
        "One incident, one statement: do not answer these one by one in public. PR owns the "
        "statement; individual cards for this topic are rolled up here."
        if flood
        else "A post that may need PR: PR is paged for an official response. More posts on "
        "this topic are counted here."
    )
    # Five posts share one section of at most 3,000 characters, escapes included.
    lines = [
        f"• @{fit(c.mention.author.username or c.mention.author.id, 60)}: "
        f"{fit(' '.join(c.mention.text.split()), 400)}"
        for c in recent[:5]
    ]
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": said}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _paging_status(incident)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _pace(incident, recent, now)}},
    ]
    statement = _statement_status(incident)
    if statement:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": statement}})
    if lines:
        latest = "*Latest:*\n" + "\n".join(lines)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": latest}})
    cause = f" · {fit(incident.cause, 200)}" if incident.cause else ""
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Opened {incident.opened_at:%H:%M} UTC{cause} · topic "
                    f"`{fit(incident.topic, 200)}`",
                }
            ],
        }
    )
    blocks.append(_buttons(incident, with_pass=False, on_card=True))
    return blocks, escape(title)  # the notification text is mrkdwn


SPARKS = "▁▂▃▄▅▆▇█"


def _pace(incident: Incident, recent: list[Case], now: datetime) -> str:
    """How fast it comes in now, the last ten minutes at a glance, and who carries furthest."""
    minutes = incident.per_minute(now)
    top = max(minutes) or 1
    line = "".join(SPARKS[min(len(SPARKS) - 1, n * len(SPARKS) // (top + 1))] for n in minutes)
    pace = f"*Now:* {minutes[-1]}/min · last 10 min `{line}`"
    if incident.count:
        pace += f" · {round(100 * incident.complaints / incident.count)}% complaints"
    loud = sorted(recent, key=lambda c: -c.mention.author.followers)[:3]
    if loud:
        names = ", ".join(
            f"@{fit(c.mention.author.username or c.mention.author.id, 60)} "
            f"({count(c.mention.author.followers)})"
            for c in loud
        )
        pace += f"\n*Widest reach:* {names}"
    return pace


def _paging_status(incident: Incident) -> str:
    if incident.acknowledged and incident.acked_by:
        at = f" at {incident.acked_at:%H:%M} UTC" if incident.acked_at else ""
        return f"✅ Acknowledged by <@{incident.acked_by}>{at}: paging stopped."
    steps = len(incident.chain.steps) if incident.chain else 0
    if incident.rearmed_for:
        return (
            f"📈 It jumped after <@{incident.rearmed_for}> acknowledged: the chain is paged "
            "again unless they acknowledge anew."
        )
    if not steps:
        return "📟 Nobody to page: the playbook has no crisis contacts for this topic."
    if not incident.paged:
        return "📟 Paging starts now."
    at = f" at {incident.paged_at:%H:%M} UTC" if incident.paged_at else ""
    return f"📟 Paged {fit(incident.paged, 100)}{at} (step {incident.step} of the chain)."


def _statement_status(incident: Incident) -> str:
    """The statements posted, each linked (the first, then its updates), and one waiting."""
    lines = [
        f"📣 {'Statement' if i == 0 else 'Update'} posted: {statement_url(post)}"
        for i, post in enumerate(incident.statements)
    ]
    if incident.draft_by:
        lines.append(
            f"✍️ A statement drafted by <@{incident.draft_by}> awaits approval in this thread."
        )
    return "\n".join(lines)


def _buttons(incident: Incident, with_pass: bool, on_card: bool = False) -> Block:
    """A page's buttons, or the card's: Acknowledge until someone does, and Draft statement."""
    value = incident_value(incident.topic, incident.id)
    elements: list[Block] = []
    if not incident.acknowledged or not on_card:
        elements.append(
            {
                "type": "button",
                "action_id": ActionId.ACKNOWLEDGE.value,
                "text": {"type": "plain_text", "text": "Acknowledge"},
                "style": "primary",
                "value": value,
            }
        )
    if with_pass:
        elements.append(
            {
                "type": "button",
                "action_id": ActionId.PASS.value,
                "text": {"type": "plain_text", "text": "Can't take it"},
                "value": value,
            }
        )
    if on_card:
        label = "Draft an update" if incident.statements else "Draft statement"
        elements.append(
            {
                "type": "button",
                "action_id": ActionId.DRAFT_STATEMENT.value,
                "text": {"type": "plain_text", "text": label},
                "value": value,
            }
        )
    return {"type": "actions", "block_id": f"incident:{incident.id}"[:255], "elements": elements}


def _drill(incident: Incident) -> str:
    """Every message of a drill says so first."""
    return "🧪 DRILL · " if incident.cause == "drill" else ""


def statement_request(
    topic: str, incident_id: str, draft_id: str, author: str, text: str
) -> list[Block]:
    """The message in the incident card's thread asking a second person to approve a statement."""
    ask = (
        f"<@{author}> drafted the public statement on *{fit(topic, 100)}*; a second member of "
        f"the PR team or a lead approves it before it goes out on X:\n{quoted(text)}"
    )
    value = statement_value(topic, incident_id, draft_id)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": ask}},
        {
            "type": "actions",
            "block_id": f"statement:{draft_id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": ActionId.APPROVE_STATEMENT.value,
                    "text": {"type": "plain_text", "text": "Approve and post"},
                    "style": "primary",
                    "value": value,
                },
                {
                    "type": "button",
                    "action_id": ActionId.REJECT_STATEMENT.value,
                    "text": {"type": "plain_text", "text": "Send back"},
                    "value": value,
                },
            ],
        },
    ]


def quoted(text: str) -> str:
    """A statement as a Slack quote, escaped and short enough for one section."""
    return ">" + fit(text, 1400).replace("\n", "\n>")


def statement_line(post_id: str, approver: str, update: bool) -> str:
    """What the incident card's thread reads once X took a statement."""
    what = "An update" if update else "The statement"
    return f"📣 {what} is on X, approved by <@{approver}>: {statement_url(post_id)}"


def page_summary(incident: Incident) -> str:
    """One line for a pager or a subject: what, how many, since when."""
    since = f"{incident.opened_at:%H:%M} UTC"
    what = f"Crisis on {incident.topic}: {incident.count} complaints since {since}"
    return _drill(incident) + what


def page_blocks(
    incident: Incident, contact: Contact, step: int, total: int, due: Step
) -> tuple[list[Block], str]:
    """The page a contact gets in a DM: the incident, and Acknowledge or Can't take it."""
    round_ = f", round {step // total + 1}" if total and step >= total else ""
    text = (
        f"{_drill(incident)}🚨 You are paged for a crisis on *{fit(incident.topic, 100)}*: "
        f"{count(incident.count)} complaints since {incident.opened_at:%H:%M} UTC. "
        f"Acknowledge within {duration(due.ack_within, seconds=True)}, or the next contact is "
        "paged."
    )
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Step {step % total + 1 if total else 1} of {total}{round_} · "
                    f"{escape(contact.name)}",
                }
            ],
        },
        _buttons(incident, with_pass=True),
    ]
    return blocks, f"Paged: crisis on {escape(incident.topic)}"


def jump_blocks(incident: Incident, why: str) -> tuple[list[Block], str]:
    """What the acknowledger reads when the incident jumps after their acknowledgement."""
    first = incident.chain.steps[0].ack_within if incident.chain and incident.chain.steps else None
    within = f" within {duration(first, seconds=True)}" if first else ""
    text = (
        f"{_drill(incident)}📈 The *{fit(incident.topic, 100)}* incident you acknowledged "
        f"jumped ({fit(why, 200)}). Acknowledge again{within}, or the chain is paged again."
    )
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        _buttons(incident, with_pass=True),
    ]
    return blocks, f"The {escape(incident.topic)} incident jumped"


def jump_line(incident: Incident, user: str, why: str) -> str:
    return (
        f"{_drill(incident)}📈 The *{fit(incident.topic, 100)}* incident jumped "
        f"({fit(why, 200)}): <@{user}> is asked to acknowledge again."
    )


def paging_line(incident: Incident, contact: Contact, step: int, total: int) -> str:
    """What PR's channel reads when a contact is paged."""
    who = f"<@{contact.slack}>" if contact.slack else escape(contact.name)
    return (
        f"{_drill(incident)}📟 Paging {who} for the *{fit(incident.topic, 100)}* incident "
        f"(step {step + 1}; {total} in the chain)."
    )


def nobody_line(incident: Incident, pages: int, leads: Iterable[str]) -> str:
    people = " ".join(f"<@{u}>" for u in leads) or "(no leads set: FLARE_SLACK__LEADS)"
    return (
        f"⚠️ Nobody acknowledged the *{fit(incident.topic, 100)}* incident after {pages} "
        f"page(s): the chain is spent. {people}, please take it."
    )


def acknowledged_line(topic: str, user: str) -> str:
    return f"✅ <@{user}> acknowledged the *{fit(topic, 100)}* incident: paging stopped."


def closed_line(topic: str, user: str, summary: str) -> str:
    said = f": {fit(summary, 1000)}" if summary else "."
    return f"☑️ <@{user}> closed the *{fit(topic, 100)}* incident{said}"


def closed_blocks(line: str) -> list[Block]:
    """A page or an incident card once it is settled: what became of it, no buttons."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": line}}]


def page_email(incident: Incident) -> str:
    return (
        f"Flare is paging you: a crisis on {incident.topic}, {incident.count} complaints since "
        f"{incident.opened_at:%H:%M} UTC.\n\nAcknowledge it in Slack (the page in your DMs, or "
        "/flare ack), or the next contact in the crisis plan is paged.\n"
    )
