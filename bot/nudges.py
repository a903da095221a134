"""What Flare says in a card's thread to the people a case must reach: pure text from the case.

A priority case tells the leads when its card goes up; a PR risk tells PR and the crisis contacts
for the risk; a case still unanswered at its response target tells its holder (or the leads).
`people` are ready to show: Slack mentions (`<@U…>`) or escaped names.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.mrkdwn import escape
from flare.case import Case, CaseState
from rules.decision import Action
from rules.units import duration

TOLD_ABOUT = (Action.PRIORITY, Action.ESCALATE_PR)
_REASONS = 3  # "in a few words": the first reasons, each cut short
_REASON_CHARS = 80


def few_words(reasons: Sequence[str]) -> str:
    """The first few reasons, each short, escaped: what a lead reads in a notification."""
    shown = [r if len(r) <= _REASON_CHARS else r[: _REASON_CHARS - 1] + "…" for r in reasons]
    words = "; ".join(shown[:_REASONS])
    if len(reasons) > _REASONS:
        words += f" (+{len(reasons) - _REASONS} more on the card)"
    return escape(words) or "see the card"


def _names(people: Sequence[str]) -> str:
    return ", ".join(people)


def _pings_nobody(people: Sequence[str]) -> bool:
    return not any(p.startswith("<@") for p in people)


def heads_up(case: Case, people: Sequence[str]) -> str:
    """The line posted under a new priority or PR-risk card, naming who must know."""
    d = case.decision
    by = f" Respond by {d.due:%H:%M} UTC." if d.due else ""
    why = few_words(d.reasons)
    if d.action is Action.ESCALATE_PR:
        what = f"PR risk, for an official response from PR: {why}.{by}"
        if not people:
            return (
                f"🚨 {what} No PR team (FLARE_SLACK__PR_TEAM) and no crisis contacts in the "
                "playbook: nobody was told."
            )
        line = f"🚨 {_names(people)}: {what}"
        if _pings_nobody(people):
            line += (
                " (Nobody here was pinged: set FLARE_SLACK__PR_TEAM or Slack ids for the "
                "crisis contacts.)"
            )
        return line
    level = d.priority.value if d.priority else "priority"
    what = f"priority case ({level}) for a lead to watch: {why}.{by}"
    if not people:
        return f"👀 A {what} No leads are set (FLARE_SLACK__LEADS): nobody was told."
    return f"👀 {_names(people)}: a {what}"


def overdue(case: Case, now: datetime, leads: Sequence[str]) -> str:
    """The one nudge when a case passes its response target with no reply or DM sent."""
    due = case.decision.due
    late = ""
    if due:
        late = f" (the target was {due:%H:%M} UTC, {duration(max(now - due, timedelta(0)))} ago)"
    head = f"⏰ Overdue{late}: no reply or DM has gone out yet."
    if case.awaiting_approval:
        if not leads:
            return f"{head} A reply waits for approval, and no leads are set (FLARE_SLACK__LEADS)."
        return f"{head} A reply waits for approval: {_names(leads)}, please look at it."
    if case.state is CaseState.CLAIMED and case.claimed_by:
        return (
            f"{head} <@{case.claimed_by}>, this case is yours: answer it now, or release it "
            "so someone else can."
        )
    if not leads:
        return f"{head} Nobody holds it, and no leads are set (FLARE_SLACK__LEADS) to tell."
    return f"{head} Nobody holds it. {_names(leads)}: please find someone to take it."


def reminder(case: Case, now: datetime, due: datetime) -> str:
    """The quiet line in the thread at a share of the target, while nobody holds the case."""
    left = duration(max(due - now, timedelta(0)))
    return (
        f"⏳ Nobody holds this case yet, and its target is {due:%H:%M} UTC (in {left}). "
        "Claim it, or snooze this reminder on the card."
    )


def still_overdue(case: Case, now: datetime, due: datetime, people: Sequence[str]) -> str:
    """A step of the chain after a breach: the case is still unanswered, and who must know."""
    past = duration(max(now - due, timedelta(0)))
    head = f"⏰ Still unanswered, {past} past its target ({due:%H:%M} UTC)."
    if not people:
        return f"{head} Nobody is set to tell (FLARE_SLACK__LEADS, the playbook's timers)."
    holder = f" <@{case.claimed_by}> holds it." if case.claimed_by else " Nobody holds it."
    return (
        f"{head}{holder} {_names(people)}: please see that someone answers it, "
        "or press I'm on it to stop these reminders."
    )


def slack_back(since: str | None, leads: Sequence[str]) -> str:
    """Said once in a channel when Slack takes its posts again after an outage."""
    when = ""
    if since:
        with contextlib.suppress(ValueError):
            when = f" since {datetime.fromisoformat(since):%H:%M} UTC"
    people = f"{_names(leads)}: " if leads else ""
    return (
        f"📶 {people}Slack was not taking Flare's posts here{when}. The cards that waited are "
        "going out now, most urgent first: check their response targets."
    )
