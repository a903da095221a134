"""The `flare report` and `flare forget` commands (registered by cli.main): numbers and erasure."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.console import err, settings_or_exit
from flare.connection import connect
from flare.report import Report, as_json, gather, rows
from flare.retention import Retention
from flare.time import utcnow
from rules.duration import parse_duration

console = Console()


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def report_command(
    since: Annotated[
        str, typer.Option(help="How far back from now: 30m, 12h, 7d, 2w (at most 366d).")
    ] = "7d",
    format: Annotated[Format, typer.Option(help="table, json or csv.")] = Format.TABLE,
) -> None:
    """What the team did and how fast, from the audit: actions by what and topic, first-response
    times (median and 90th percentile) by priority and the share inside target, breaches,
    incidents and their time to acknowledge, and cases handled per agent.

    Every number is counted from the audit of all cases (its newest 100,000 entries), with
    each case's priority, topic and target read from its record: docs/reports.md says how.

    **Examples**: `flare report`; `flare report --since 24h --format json`;
    `flare report --since 30d --format csv > month.csv`.
    """
    try:
        span = parse_duration(since)
    except ValueError as exc:
        err.print(f"[red]--since {escape(since)}[/red]: {escape(str(exc))}")
        raise typer.Exit(2) from None
    now = utcnow()
    found = gather(connect(settings_or_exit()), now - span, now)
    if format is Format.JSON:
        sys.stdout.write(json.dumps(as_json(found), indent=2) + "\n")
    elif format is Format.CSV:
        out = csv.writer(sys.stdout)
        out.writerow(("section", "group", "key", "value"))
        out.writerows(rows(found))
    else:
        _tables(found)


def _tables(found: Report) -> None:
    console.print(
        f"Flare report, {found.since:%Y-%m-%d %H:%M} to {found.until:%Y-%m-%d %H:%M} UTC: "
        f"{found.entries} audited actions",
        highlight=False,
    )
    volume = Table("action", "topic", "count", title="Actions by topic")
    for what, topics in found.volume.items():
        for topic, n in topics.items():
            volume.add_row(escape(what), escape(topic), str(n))
    console.print(volume)
    times = Table(
        "priority",
        "answered",
        "median min",
        "p90 min",
        "inside target",
        "target min",
        title="First response",
    )
    for p, t in found.first_response.items():
        share = "" if t.share_inside is None else f" ({t.share_inside:.0%})"
        times.add_row(
            p,
            str(t.answered),
            _n(t.p50_minutes),
            _n(t.p90_minutes),
            f"{t.inside_target}{share}",
            _n(t.target_minutes),
        )
    console.print(times)
    overall = "" if found.share_inside is None else f"{found.share_inside:.0%}"
    breaches = ", ".join(f"{p} {n}" for p, n in found.breaches.items())
    console.print(
        f"Inside target overall: {overall or '–'}; breaches: {found.breach_total}"
        + (f" ({breaches})" if breaches else ""),
        highlight=False,
    )
    incidents = Table(
        "incident", "topic", "opened (UTC)", "acknowledged by", "minutes", title="Incidents"
    )
    for i in found.incidents:
        incidents.add_row(
            escape(i.id),
            escape(i.topic),
            f"{i.opened_at:%Y-%m-%d %H:%M}",
            escape(i.acknowledged_by or "not yet"),
            _n(i.minutes_to_acknowledge),
        )
    console.print(incidents)
    handled = Table("agent", "cases handled", title="Per agent")
    for who, n in found.handled.items():
        handled.add_row(escape(who), str(n))
    console.print(handled)


def _n(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def forget_command(
    author: Annotated[
        str, typer.Argument(help="The author: their X handle (@dana or dana) or X user id.")
    ],
) -> None:
    """Delete everything Flare holds about one person, as privacy law lets them ask: their
    cases (with each case's own audit, follow-ups and card records), their later posts in
    other cases, their posting history, the audit entries naming them or their cases, and the
    dead letters naming them. Says what it removed; cards already posted in chat stay there
    (they are listed, to delete in Slack or Teams). Exit 1 when nothing was found.

    **Example**: `flare forget @dana`.
    """
    removed = Retention(connect(settings_or_exit())).forget(author)
    console.print(f"Removed for {escape(author)}:", highlight=False)
    for line in removed.lines():
        console.print(f"  {escape(line)}", highlight=False)
    if not removed.anything:
        err.print(f"nothing found for {escape(author)}")
        raise typer.Exit(1)
