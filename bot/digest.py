"""A report in Slack: the daily digest's text and `/flare report`'s blocks (pure renderers)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.card import Block
from bot.mrkdwn import escape
from flare.report import NO_TOPIC, Report
from rules.units import count, duration

MOST_SHOWN = 8  # agents, actions or incidents listed before "…and N more"


def _minutes(value: float | None) -> str:
    return "–" if value is None else duration(timedelta(minutes=value))


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def mention(who: str) -> str:
    """A person as a Slack mention: fine where only the caller reads it (`/flare report`)."""
    return f"<@{escape(who)}>"


def lines(report: Report, person: Callable[[str], str] = mention) -> list[str]:
    """The report as mrkdwn lines, each a heading in bold and its numbers; `person` renders a
    user id (a mention, or in a channel post their name, so the digest pings nobody)."""

    def _person(who: str) -> str:
        return "Flare" if who == "flare" else person(who)

    totals = {what: sum(topics.values()) for what, topics in report.volume.items()}
    busiest = sorted(totals.items(), key=lambda kv: -kv[1])
    actions = ", ".join(f"{escape(what)} {count(n)}" for what, n in busiest[:MOST_SHOWN])
    out = [f"*Actions* {count(report.entries)}" + (f": {actions}" if actions else "")]
    topics: dict[str, int] = {}
    for by_topic in report.volume.values():
        for topic, n in by_topic.items():
            if topic != NO_TOPIC:
                topics[topic] = topics.get(topic, 0) + n
    if topics:
        top = sorted(topics.items(), key=lambda kv: -kv[1])[:MOST_SHOWN]
        out.append("*By topic* " + ", ".join(f"{escape(t)} {count(n)}" for t, n in top))
    if report.first_response:
        parts = [
            f"{p}: median {_minutes(t.p50_minutes)}, 90% {_minutes(t.p90_minutes)}, "
            f"{t.inside_target} of {t.answered} inside {_minutes(t.target_minutes)}"
            for p, t in report.first_response.items()
        ]
        out.append("*First response* " + "; ".join(parts))
        out.append(f"*Inside target* {_share(report.share_inside)} of {count(report.answered)}")
    else:
        out.append("*First response* no case was answered for the first time in this window")
    breaches = ", ".join(f"{p} {n}" for p, n in report.breaches.items())
    out.append(f"*Breaches* {count(report.breach_total)}" + (f" ({breaches})" if breaches else ""))
    if report.incidents:
        said = []
        for i in report.incidents[:MOST_SHOWN]:
            if i.acknowledged_by is None:
                said.append(f"{escape(i.topic)} not acknowledged")
            else:
                by, ack = _person(i.acknowledged_by), _minutes(i.minutes_to_acknowledge)
                said.append(f"{escape(i.topic)} acknowledged by {by} in {ack}")
        out.append(f"*Incidents* {count(len(report.incidents))}: " + "; ".join(said))
    if report.handled:
        shown = list(report.handled.items())[:MOST_SHOWN]
        more = len(report.handled) - len(shown)
        tail = f", …and {more} more" if more > 0 else ""
        handled = ", ".join(f"{_person(who)} {count(n)}" for who, n in shown)
        out.append(f"*Handled* {handled}{tail}")
    return out


def title(report: Report) -> str:
    return f"Flare report, {report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} UTC"


def text(report: Report, person: Callable[[str], str] = mention) -> str:
    """The digest message: its title and the numbers, one line each."""
    return "\n".join([f"*{title(report)}*", *lines(report, person)])


def blocks(report: Report) -> list[Block]:
    """`/flare report` as Block Kit: a header and one section of the numbers."""
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "Flare report"}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": escape(title(report))}],
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines(report))[:3000]}},
    ]
