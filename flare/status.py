"""Where a case stands, as words any chat surface renders: who holds it, what was done, when."""

from __future__ import annotations

from datetime import datetime, timedelta

from flare.case import Case, CaseState
from flare.words import Outside, Person, Strong, Words, words
from rules.units import duration


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


AWAITING_APPROVAL = words("Reply awaiting a lead's approval")


def can_reply_publicly(case: Case) -> bool:
    """X accepts a reply from a self-serve app only when the post mentions or quotes the brand."""
    return case.decision.summoned


def status_lines(case: Case, now: datetime) -> list[Words]:
    """A line each: the holder or how it closed, what was done on X, what it belongs to, what
    waits, and the response target."""
    lines: list[Words] = []
    if case.state is CaseState.CLAIMED and case.claimed_by:
        until = f" until {case.claim_until:%H:%M} UTC" if case.claim_until else ""
        lines.append(words("Claimed by ", Person(case.claimed_by), until))
    elif case.state is CaseState.OPEN and case.lapsed_by:
        lines.append(
            words("⌛ ", Person(case.lapsed_by), "'s claim ran out: open for anyone to claim")
        )
    elif case.state in (CaseState.RESOLVED, CaseState.IGNORED):
        closed: list[str | Person | Outside | Strong] = [Strong(case.state.value.capitalize())]
        if case.closed_by:
            closed += [" by ", Person(case.closed_by)]
        if case.close_reason:
            closed += [": ", Outside(case.close_reason)]
        lines.append(words(*closed))
    if case.reply_url:
        lines.append(words("Replied on X by ", Person(case.replied_by or "")))
    if case.dm_by:
        lines.append(words("DM sent by ", Person(case.dm_by)))
    if case.rolled_into:
        lines.append(
            words(
                "🚨 Rolled up into the ",
                Strong(_cut(case.rolled_into, 100)),
                " incident: PR owns the statement, so reply one by one only if you must",
            )
        )
    if case.linked_to:
        lines.append(
            words(
                "Follows an earlier case of this conversation (",
                Outside(_cut(case.linked_to, 60)),
                ")",
            )
        )
    if case.escalated_to:
        lines.append(words("Escalated to PR (", Outside(case.escalated_to), ")"))
    if case.awaiting_approval:
        lines.append(AWAITING_APPROVAL)
    if case.state is CaseState.CLAIMED and not can_reply_publicly(case):
        lines.append(
            words("No public reply: the post does not mention the brand, so X would refuse it")
        )
    due = case.decision.due
    if due and case.state in (CaseState.OPEN, CaseState.CLAIMED) and case.awaiting_answer:
        left = due - now
        when = (
            Strong(f"{duration(left)} overdue") if left <= timedelta(0) else f"in {duration(left)}"
        )
        on_it = (": ", Person(case.on_it_by), " is on it") if case.on_it_by else ()
        lines.append(words(f"Respond by {due:%H:%M} UTC (", when, ")", *on_it))
        remind = case.remind_at
        if case.state is CaseState.OPEN and remind and remind > now:
            snoozed = (" (snoozed by ", Person(case.snoozed_by), ")") if case.snoozed_by else ()
            lines.append(words(f"Reminder at {remind:%H:%M} UTC", *snoozed))
    return lines
