"""`flare triage` and `flare rules check / explain / backtest`: the engine from the shell."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from rules.context import MemoryContext
from rules.decision import Action, Decision
from rules.engine import Engine
from rules.mention import Author, Mention, Metrics, Source
from rules.normalize import PayloadError, iter_lines, mentions_from, parse_time
from rules.playbook import (
    Playbook,
    PlaybookError,
    default_playbook_path,
    load_playbook,
    parse_duration,
)
from rules.templates import render_template

rules_app = typer.Typer(
    help="Playbook tooling: validate a playbook, explain a decision, backtest on a file.",
    no_args_is_help=True,
)

console = Console()


@dataclass
class ReadFile:
    """A JSON-lines file read: per input line, its mentions or its error, in order."""

    lines: list[tuple[int, list[Mention] | str]] = field(default_factory=list)

    @property
    def mentions(self) -> list[Mention]:
        return [m for _, got in self.lines if not isinstance(got, str) for m in got]

    @property
    def errors(self) -> list[tuple[int, str]]:
        return [(n, got) for n, got in self.lines if isinstance(got, str)]


def read_file(path: Path) -> ReadFile:
    out = ReadFile()
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in iter_lines(iter(fh)):
            try:
                payload = json.loads(line)
            except json.JSONDecodeError as exc:
                out.lines.append(
                    (number, f"line {number}: (json): {exc.msg} at column {exc.colno}")
                )
                continue
            try:
                out.lines.append((number, mentions_from(payload, Source.REPLAY)))
            except PayloadError as exc:
                out.lines.append((number, f"line {number}: {exc}"))
    return out


def _settings_defaults() -> tuple[tuple[str, ...], Path | None]:
    try:
        from flare.settings import load_settings

        settings = load_settings()
    except Exception:  # a bad unrelated setting must not stop a file triage
        return (), None
    return settings.brand.handles, settings.playbook


def _playbook(path: Path | None) -> Playbook:
    try:
        return load_playbook(path)
    except PlaybookError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        return parse_time(value, "--now")
    except PayloadError as exc:
        raise typer.BadParameter(str(exc), param_hint="--now") from None


def _handles(brand: list[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if not brand:
        return default
    return tuple(
        h.strip().lstrip("@").lower() for part in brand for h in part.split(",") if h.strip()
    )


def triage_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="JSON lines: X v2 messages or Flare mentions."
        ),
    ],
    brand: Annotated[
        list[str] | None,
        typer.Option("--brand", help="A brand handle (repeatable); default FLARE_BRAND__HANDLES."),
    ] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="Decide as of this ISO-8601 time; default now.")
    ] = None,
    playbook: Annotated[
        Path | None, typer.Option("--playbook", help="Playbook file; default the shipped one.")
    ] = None,
) -> None:
    """Decide every mention in FILE with the playbook: one JSON object per line, in input order.

    Mentions are evaluated in created_at order with an in-memory context, so spikes and repeat
    authors count. A line that can't be read prints {"id": null, "error": ...} in its place.
    """
    default_handles, default_playbook = _settings_defaults()
    book = _playbook(playbook or default_playbook)
    engine = Engine(book, _handles(brand, default_handles))
    read = read_file(file)
    decisions = iter(engine.decide_many(read.mentions, MemoryContext(), _now(now)))
    for _number, got in read.lines:
        if isinstance(got, str):
            typer.echo(f"{file}:{got}", err=True)
            sys.stdout.write(json.dumps({"id": None, "error": got}) + "\n")
            continue
        for _ in got:
            sys.stdout.write(json.dumps(next(decisions).as_line(), default=str) + "\n")
    sys.stdout.flush()
    if read.lines and not read.mentions:
        raise typer.Exit(1)


@rules_app.command("check")
def check_command(
    path: Annotated[
        Path | None, typer.Argument(help="Playbook file; default the one shipped with Flare.")
    ] = None,
) -> None:
    """Validate a playbook: exit 0 if it can be used, else print file:line: field: problem."""
    try:
        book = load_playbook(path)
    except PlaybookError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    where = path or default_playbook_path()
    typer.echo(
        f"ok: {where}: {len(book.topics)} topics, {len(book.risks)} risk categories, "
        f"{len(book.templates)} templates, {len(book.vip)} VIP handles"
    )


@rules_app.command("explain")
def explain_command(
    text: Annotated[str, typer.Argument(help="The post's text.")],
    followers: Annotated[int, typer.Option(help="The author's followers.")] = 100,
    verified: Annotated[bool, typer.Option("--verified", help="The author is verified.")] = False,
    reposts: Annotated[int, typer.Option(help="Reposts so far.")] = 0,
    replies: Annotated[int, typer.Option(help="Replies so far.")] = 0,
    age: Annotated[str, typer.Option(help="How old the post is: 90s, 10m, 2h, 3d.")] = "1m",
    username: Annotated[str, typer.Option(help="The author's handle.")] = "someone",
    brand: Annotated[list[str] | None, typer.Option("--brand", help="A brand handle.")] = None,
    playbook: Annotated[Path | None, typer.Option("--playbook", help="Playbook file.")] = None,
) -> None:
    """Decide one made-up post and show why."""
    default_handles, default_playbook = _settings_defaults()
    book = _playbook(playbook or default_playbook)
    handles = _handles(brand, default_handles) or ("acme",)
    try:
        delta = parse_duration(age)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--age") from None
    now = datetime.now(UTC)
    mention = Mention(
        id="explain",
        text=text,
        created_at=now - delta,
        author=Author(
            id=f"u-{username}",
            username=username,
            name=username,
            followers=followers,
            verified=verified,
        ),
        metrics=Metrics(reposts=reposts, replies=replies),
        mentioned=tuple(h for h in handles if f"@{h}" in text.lower()),
    )
    decision = Engine(book, handles).decide(mention, MemoryContext(), now)
    show_decision(decision, mention, book)


def show_decision(decision: Decision, mention: Mention, book: Playbook) -> None:
    head = f"[bold]{decision.action.value}[/bold]"
    if decision.priority:
        head += f"  {decision.priority.value}"
    if decision.topic:
        head += f"  topic {decision.topic}"
    if decision.late:
        head += "  [red]late[/red]"
    console.print(head)
    if decision.due:
        console.print(f"due {decision.due.isoformat(timespec='minutes')}")
    console.print("[bold]why[/bold]")
    for reason in decision.reasons:
        console.print(f"  • {reason}", markup=False, highlight=False)
    table = Table("signal", "value", title="signals", show_lines=False)
    for name, value in decision.signals.items():
        if value in (None, [], {}, False, ""):
            continue
        table.add_row(name, json.dumps(value, default=str))
    console.print(table)
    if decision.template:
        console.print(f"[bold]template[/bold] {decision.template}")
        draft = render_template(book, decision.template, mention, decision, signature="AB")
        console.print(f"  {draft}", markup=False, highlight=False)


def tally(decisions: list[Decision]) -> dict[str, int]:
    """How many of each action, the cards agents would see, incidents opened and pages sent."""
    counts: Counter[str] = Counter(d.action.value for d in decisions)
    incidents = sum(
        1
        for d in decisions
        if d.action is Action.CRISIS and d.signals.get("spike", {}).get("opened")
    )
    cards = sum(1 for d in decisions if d.action.needs_person and d.action is not Action.CRISIS)
    out = {a.value: counts.get(a.value, 0) for a in Action}
    out["cards"] = cards
    out["incidents"] = incidents
    out["pages"] = counts.get(Action.ESCALATE_PR.value, 0) + incidents
    out["late"] = sum(1 for d in decisions if d.late)
    return out


def _backtest(
    book: Playbook, handles: tuple[str, ...], mentions: list[Mention], now: datetime
) -> dict[str, int]:
    return tally(Engine(book, handles).decide_many(mentions, MemoryContext(), now))


@rules_app.command("backtest")
def backtest_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON lines of mentions.")
    ],
    playbook: Annotated[Path | None, typer.Option("--playbook", help="Playbook file.")] = None,
    against: Annotated[
        Path | None, typer.Option("--against", help="A second playbook to compare with.")
    ] = None,
    brand: Annotated[list[str] | None, typer.Option("--brand", help="A brand handle.")] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now", help="Decide as of this time; default a minute after the newest post."
        ),
    ] = None,
) -> None:
    """What a playbook would have produced on FILE: actions, cards, incidents and pages."""
    default_handles, default_playbook = _settings_defaults()
    handles = _handles(brand, default_handles)
    read = read_file(file)
    for _n, problem in read.errors:
        typer.echo(f"{file}:{problem}", err=True)
    mentions = read.mentions
    if not mentions:
        typer.echo(f"{file}: no mention could be read", err=True)
        raise typer.Exit(1)
    when = _now(now) if now else max(m.created_at for m in mentions) + timedelta(minutes=1)
    first_path = playbook or default_playbook
    columns: list[tuple[str, dict[str, Any]]] = [
        (
            str(first_path or "shipped playbook"),
            _backtest(_playbook(first_path), handles, mentions, when),
        )
    ]
    if against is not None:
        columns.append((str(against), _backtest(_playbook(against), handles, mentions, when)))
    table = Table(
        "",
        *(name for name, _ in columns),
        title=f"backtest: {len(mentions)} mentions as of {when.isoformat(timespec='minutes')}",
    )
    for row in columns[0][1]:
        table.add_row(row, *(str(c[row]) for _, c in columns))
    console.print(table)
