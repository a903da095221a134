"""The `flare missed` command (registered by cli.main): posts found too old to push at agents."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from cli.console import err, settings_or_exit
from flare import keys
from flare.case import Case
from flare.connection import connect
from flare.store import Store
from rules.mention import Mention
from rules.units import duration

console = Console()


@dataclass
class TooOld:
    """Counts the posts of a replay older than the playbook's maximum age, as they go by."""

    max_age: timedelta
    now: datetime
    count: int = 0

    def counting(self, mentions: Iterable[Mention]) -> Iterator[Mention]:
        for mention in mentions:
            if self.now - mention.created_at > self.max_age:
                self.count += 1
            yield mention

    def said(self) -> str:
        """What `flare replay` says of them: how many, and how to see them."""
        posts = "post was" if self.count == 1 else "posts were"
        return (
            f"{self.count} {posts} older than {duration(self.max_age)} (the playbook's max_age): "
            "recorded, not pushed at agents (someone in danger excepted). Once `flare worker` "
            "has triaged them, `flare missed` lists them."
        )


def missed_command(
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many, newest first.")] = 50,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line instead of a table.")
    ] = False,
) -> None:
    """List the posts found beyond the playbook's maximum age (`max_age`, 3d by default).

    Late beats never, but Flare does not chase everything forever (PLAYBOOK.md §1): a post found
    that old after a gap in listening or in a replay is recorded, with why, and gets no card.
    Here they are, for the record and for anyone who wants to answer one by hand.

    **Examples**: `flare missed`; `flare missed --limit 500 --json` (JSON lines, for jq).
    """
    client = connect(settings_or_exit())
    ids = [raw.decode() for raw in client.zrevrange(keys.missed(), 0, limit - 1)]
    cases = Store(client).get_many(ids)
    if as_json:
        sys.stdout.writelines(json.dumps(_as_json(case)) + "\n" for case in cases)
        return
    if not cases:
        err.print("No missed posts: nothing was found beyond the playbook's max_age.")
        return
    total = client.zcard(keys.missed())
    table = Table(
        "posted (UTC)",
        "found after",
        "author",
        "would have been",
        Column("post", overflow="fold"),
        "link",
        title=f"{total} missed post{'s' if total != 1 else ''}"
        + (f" (the newest {len(cases)})" if total > len(cases) else ""),
    )
    for case in cases:
        row = _as_json(case)
        table.add_row(
            str(row["posted"])[:16].replace("T", " "),
            str(row["found_after"]),
            escape(f"@{case.mention.author.username or case.mention.author.id}"),
            escape(str(row["would_have_been"])),
            escape(case.mention.text[:200]),
            escape(case.mention.url),
        )
    console.print(table)


def _as_json(case: Case) -> dict[str, object]:
    age = case.decision.age
    return {
        "case": case.id,
        "posted": case.mention.created_at.astimezone(UTC).isoformat(),
        "found_after": duration(age) if age is not None else "",
        "author": case.mention.author.username or case.mention.author.id,
        "would_have_been": case.decision.signals.get("would_have_been", ""),
        "text": case.mention.text,
        "url": case.mention.url,
    }
