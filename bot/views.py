"""Block Kit for the /flare answers and the App Home: pure functions of the data and the clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.action_ids import ActionId
from bot.card import PRIORITY_MARK, Block
from bot.mrkdwn import clip, escape, link, verbatim
from bot.payloads import button_value
from flare.case import Case, CaseState
from flare.incidents import Incident
from rules.decision import Priority
from rules.units import count, duration

MESSAGE_BLOCKS = 50  # Slack's cap on blocks in one message
VIEW_BLOCKS = 100  # ... and in a Home tab or modal view
_SNIPPET = 140

COMMANDS = (
    ("status", "open cases by priority, those about to miss their target, open incidents"),
    ("mine", "the cases you have claimed"),
    ("report [SPAN]", "the numbers of the past 24 hours (or SPAN: 7d, 12h) from the audit"),
    ("crisis", "open incidents (spikes of complaints on one topic), who is paged"),
    ("crisis open TOPIC", "open an incident by hand and page the topic's chain (PR, leads)"),
    (
        "crisis close TOPIC [resolve] [summary]",
        "close it: paging stops, the pager is resolved; its cases go back to the queue, "
        "or are resolved with it",
    ),
    ("crisis oncall TOPIC", "who the crisis plan pages for a topic, in order"),
    ("crisis status TOPIC", "an incident's latest posts, each to claim (they get no card)"),
    ("ack [TOPIC]", "acknowledge an incident: paging stops at once"),
    ("help", "this list"),
)


# small pieces ------------------------------------------------------------------------------
def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _note(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def _more(hidden: int, what: str = "") -> Block:
    return _note(f"…and {count(hidden)} more{what}")


def _target(case: Case, now: datetime) -> str:
    due = case.decision.due
    if due is None:
        return "no response target"
    left = due - now
    if left <= timedelta(0):
        return f"*{duration(left)} overdue* (target {due:%H:%M} UTC)"
    return f"respond by {due:%H:%M} UTC (in {duration(left)})"


def case_line(case: Case, now: datetime) -> Block:
    """One case as a section: priority, author, the post, its target, who holds it."""
    m, d = case.mention, case.decision
    mark = f"{PRIORITY_MARK[d.priority]} *{d.priority.value}*" if d.priority else "⚪ *--*"
    handle = escape((m.author.username or m.author.id)[:60])
    who = f"{link(m.url, '@' + handle)} ({count(m.author.followers)} followers)"
    topic = f" · {escape(d.topic)}" if d.topic else ""
    status = _target(case, now)
    if case.state is CaseState.CLAIMED and case.claimed_by:
        status += f" · claimed by <@{escape(case.claimed_by)}>"
    post = verbatim(clip(" ".join(m.text.split()), _SNIPPET))
    return _section(f"{mark}{topic} · {who}\n{post}\n{status}")


def _case_list(cases: Sequence[Case], now: datetime, shown: int) -> list[Block]:
    blocks = [case_line(c, now) for c in cases[:shown]]
    if len(cases) > shown:
        blocks.append(_more(len(cases) - shown, " cases"))
    return blocks


def _incident_line(incident: Incident, now: datetime) -> Block:
    return _section(
        f"🚨 *{escape(incident.topic)}* · {count(incident.count)} complaints · "
        f"open {duration(now - incident.opened_at)} (since {incident.opened_at:%H:%M} UTC)"
    )


def _fit(blocks: list[Block], limit: int) -> list[Block]:
    """Cut a block list to Slack's limit, saying how many were left out."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], _more(len(blocks) - (limit - 1), " lines")]


def _counted(n: int, one: str, many: str) -> str:
    return f"{count(n)} {one if n == 1 else many}"


# answers -----------------------------------------------------------------------------------
def status_blocks(
    open_by_priority: Mapping[Priority, Sequence[Case]],
    due_soon: Sequence[Case],
    breached: Sequence[Case],
    incidents: Sequence[Incident],
    now: datetime,
) -> list[Block]:
    """/flare status: the queue by priority, what is overdue or about to be, open incidents."""
    total = sum(len(cases) for cases in open_by_priority.values())
    fields = []
    for priority in Priority:
        cases = open_by_priority.get(priority, ())
        claimed = sum(1 for c in cases if c.state is CaseState.CLAIMED)
        fields.append(
            {
                "type": "mrkdwn",
                "text": f"{PRIORITY_MARK[priority]} *{priority.value}*: {count(len(cases))} open"
                + (f", {count(claimed)} claimed" if claimed else ""),
            }
        )
    blocks: list[Block] = [
        _header(f"Flare · {_counted(total, 'case', 'cases')} open · {now:%H:%M} UTC"),
        {"type": "section", "fields": fields},
    ]
    if breached:
        blocks.append(_section(f"*Overdue ({count(len(breached))})*"))
        blocks.extend(_case_list(breached, now, shown=10))
    if due_soon:
        blocks.append(_section(f"*Due soon ({count(len(due_soon))})*"))
        blocks.extend(_case_list(due_soon, now, shown=10))
    if incidents:
        blocks.append(_section(f"*Open incidents ({count(len(incidents))})*"))
        blocks.extend(_incident_line(i, now) for i in incidents[:5])
        if len(incidents) > 5:
            blocks.append(_more(len(incidents) - 5, " incidents"))
    if not (breached or due_soon or incidents):
        blocks.append(_note("Nothing overdue, nothing due soon, no open incidents."))
    return _fit(blocks, MESSAGE_BLOCKS)


def status_text(
    open_by_priority: Mapping[Priority, Sequence[Case]],
    due_soon: Sequence[Case],
    breached: Sequence[Case],
    incidents: Sequence[Incident],
) -> str:
    """The one-line fallback of /flare status, for notifications and screen readers."""
    total = sum(len(cases) for cases in open_by_priority.values())
    return (
        f"Flare: {count(total)} open, {count(len(breached))} overdue, "
        f"{count(len(due_soon))} due soon, {_counted(len(incidents), 'incident', 'incidents')}"
    )


def mine_blocks(cases: Sequence[Case], now: datetime) -> list[Block]:
    """/flare mine: the cases the caller holds, soonest due first."""
    if not cases:
        return [_section("You hold no cases right now. Claim one from its card in the channel.")]
    blocks = [_header(f"Your cases ({count(len(cases))})")]
    blocks.extend(_case_list(cases, now, shown=MESSAGE_BLOCKS - 2))
    return _fit(blocks, MESSAGE_BLOCKS)


def crisis_blocks(incidents: Sequence[Incident], now: datetime) -> list[Block]:
    """/flare crisis: every open incident, the biggest first."""
    if not incidents:
        return [_section("No open incidents.")]
    blocks = [_header(f"Open incidents ({count(len(incidents))})")]
    shown = MESSAGE_BLOCKS - 3  # header, "and N more", the closing note
    blocks.extend(_incident_line(i, now) for i in incidents[:shown])
    if len(incidents) > shown:
        blocks.append(_more(len(incidents) - shown, " incidents"))
    blocks.append(
        _note("PR owns the statement for an incident: do not answer its posts one by one.")
    )
    return _fit(blocks, MESSAGE_BLOCKS)


def incident_status_blocks(incident: Incident, cases: Sequence[Case], now: datetime) -> list[Block]:
    """/flare crisis status TOPIC: the incident, and its latest posts, each with Claim."""
    blocks = [_header(f"Incident: {incident.topic} ({count(incident.count)} complaints)")]
    blocks.append(_incident_line(incident, now))
    for case in cases[: MESSAGE_BLOCKS - 4]:
        blocks.append(case_line(case, now))
        if case.state is CaseState.OPEN:
            claim = {
                "type": "button",
                "action_id": ActionId.CLAIM.value,
                "text": {"type": "plain_text", "text": "Claim"},
                "value": button_value(case.id),
            }
            blocks.append({"type": "actions", "elements": [claim]})
    blocks.append(_note("These posts have no card each: claim one here to answer it yourself."))
    return _fit(blocks, MESSAGE_BLOCKS)


def help_blocks(unknown: str | None = None) -> list[Block]:
    """/flare help; with `unknown`, first says which subcommand was not understood."""
    blocks: list[Block] = []
    if unknown is not None:
        blocks.append(_section(f"Unknown subcommand `{escape(unknown[:50])}`."))
    lines = "\n".join(f"`/flare {name}`: {what}" for name, what in COMMANDS)
    blocks.append(_section(f"*Flare commands*\n{lines}"))
    return blocks


def stranger_view(user: str, why: str) -> dict[str, Any]:
    """The App Home tab of someone who may not act on cards: why, and nothing of the queue."""
    blocks = [_header("Flare"), _note(f"For <@{escape(user)}>"), _section(escape(why))]
    return {"type": "home", "blocks": blocks}


def home_view(
    user: str,
    mine: Sequence[Case],
    open_by_priority: Mapping[Priority, Sequence[Case]],
    now: datetime,
) -> dict[str, Any]:
    """The App Home tab: the user's claimed cases, then the whole queue by priority."""
    total = sum(len(cases) for cases in open_by_priority.values())
    blocks: list[Block] = [
        _header("Flare"),
        _note(f"For <@{escape(user)}> · updated {now:%H:%M} UTC"),
        _section(f"*Your cases ({count(len(mine))})*"),
    ]
    if mine:
        blocks.extend(_case_list(mine, now, shown=20))
    else:
        blocks.append(_note("You hold no cases. Claim one from its card in the channel."))
    blocks.append({"type": "divider"})
    blocks.append(_section(f"*Queue ({_counted(total, 'case', 'cases')} open)*"))
    for priority in Priority:
        cases = open_by_priority.get(priority, ())
        if not cases:
            continue
        mark = PRIORITY_MARK[priority]
        blocks.append(_section(f"{mark} *{priority.value}* · {count(len(cases))}"))
        blocks.extend(_case_list(cases, now, shown=12))
    if not total:
        blocks.append(_note("The queue is empty."))
    return {"type": "home", "blocks": _fit(blocks, VIEW_BLOCKS)}
