"""The `flare audit` command (registered by cli.main): one case's history, read from Redis."""

from __future__ import annotations

import json
import sys
from datetime import UTC
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from cli.console import err, settings_or_exit
from flare import keys
from flare.audit import Audit, Entry
from flare.connection import connect

console = Console()


def audit_command(
    case_id: Annotated[
        str, typer.Argument(help="The case's id: the X post id at the end of its card's link.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line instead of a table.")
    ] = False,
) -> None:
    """Show everything done to one case, oldest first: when (UTC), who, what, and the details.

    Claims, releases, take-overs, replies, DMs, escalations, closes, reopens, refused attempts
    and overdue nudges are all kept, each with the Slack user who acted ("flare" for Flare
    itself). Exit 1 when the case has no history yet or there is no such case.

    **Examples**: `flare audit 1858000000000000001`; `flare audit 1858000000000000001 --json`
    (JSON lines, for jq or a ticket).
    """
    client = connect(settings_or_exit())
    entries = Audit(client).of_case(case_id)
    if not entries:
        if client.exists(keys.case(case_id)):
            err.print(f"case {escape(case_id)} has no history yet: nobody has acted on it")
        else:
            err.print(
                f"[red]no case {escape(case_id)}[/red]: a case's id is the X post id at the end "
                "of the link on its card"
            )
        raise typer.Exit(1)
    if as_json:
        sys.stdout.writelines(json.dumps(_as_json(entry)) + "\n" for entry in entries)
        return
    table = Table(
        "time (UTC)",
        "who",
        "what",
        Column("details", overflow="fold"),  # long values (times, ids) wrap, never cut
        title=f"case {escape(case_id)}",
    )
    for entry in entries:
        details = ", ".join(f"{name}={value}" for name, value in entry.detail.items())
        when = entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(when, escape(entry.who), escape(entry.what), escape(details))
    console.print(table)


def _as_json(entry: Entry) -> dict[str, object]:
    return {
        "case": entry.case,
        "at": entry.at.astimezone(UTC).isoformat(),
        "who": entry.who,
        "what": entry.what,
        "detail": entry.detail,
    }
