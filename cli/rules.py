"""`flare triage` and `flare rules check / explain / backtest`: the engine from the shell."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.console import err
from cli.progress import Step, progress
from cli.readers import readers
from flare.lines import lines
from rules.context import MemoryContext
from rules.decision import Action, Decision
from rules.duration import parse_duration
from rules.engine import Engine
from rules.mention import Author, Mention, Metrics, Source
from rules.normalize import PayloadError, parse_time, read_payload
from rules.playbook import Playbook, PlaybookError, default_playbook_path, load_playbook
from rules.templates import render_template
from rules.units import handle

rules_app = typer.Typer(
    help=(
        "Playbook tooling: validate a playbook, explain a decision, backtest on a file.\n\n"
        "For the people who own the playbook; none of these needs Redis, Slack or X. "
        "The playbook in use is FLARE_PLAYBOOK, or the one shipped with Flare when that is unset."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

console = Console()
DECIDE_CHUNK = 1000  # mentions decided per engine call, so a long file shows its progress

MentionsFile = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, help="JSON lines: X v2 messages or Flare mentions."
    ),
]
PlaybookOption = Annotated[
    Path | None,
    typer.Option("--playbook", help="Playbook file; default FLARE_PLAYBOOK, else the shipped one."),
]


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


def read_line(raw: bytes) -> list[Mention] | str:
    """The mentions on one line of a file, or what is wrong with it (as `flare replay` says it)."""
    mentions, error = read_payload(raw, Source.REPLAY)
    return error if error is not None else mentions


def read_file(path: Path, step: Step | None = None) -> ReadFile:
    """Read a JSON-lines file; `step` is told the bytes each line took. A line over
    `MAX_LINE_BYTES` is an error line, never read whole."""
    out = ReadFile()
    with path.open("rb") as fh:
        for line in lines(fh):
            if line.too_long:
                out.lines.append((line.number, line.refusal()))
            elif line.raw.strip():
                out.lines.append((line.number, read_line(line.raw)))
            if step:
                step(line.size)
    return out


def read_with_progress(path: Path) -> ReadFile:
    with progress(err, f"Reading {path.name}", path.stat().st_size, in_bytes=True) as step:
        return read_file(path, step)


def decide_all(
    engine: Engine,
    mentions: list[Mention],
    now: datetime,
    chunk: int = DECIDE_CHUNK,
    processes: int = 1,
) -> list[Decision]:
    """Every mention decided in created_at order with one in-memory context, in input order.

    The engine is given the mentions a chunk at a time, oldest first, so a long file shows how
    far it has got; the context carries authors and spikes from one chunk to the next. With
    `processes` above one and enough mentions, their text is read in that many other processes
    meanwhile (`cli.readers`).
    """
    order = sorted(range(len(mentions)), key=lambda i: mentions[i].created_at)
    parts = [order[start : start + chunk] for start in range(0, len(order), chunk)]
    context = MemoryContext()
    decided: list[Decision | None] = [None] * len(mentions)
    helpers = processes if len(parts) > 1 else 1
    with readers(engine, helpers) as read, progress(err, "Deciding", len(mentions)) as step:
        batches = ([mentions[i] for i in part] for part in parts)
        for part, readings in zip(parts, read(batches), strict=True):
            batch = [mentions[i] for i in part]
            decisions = engine.decide_many(batch, context, now, readings=readings)
            for i, decision in zip(part, decisions, strict=True):
                decided[i] = decision
            step(len(part))
    return [d for d in decided if d is not None]


def _settings_defaults() -> tuple[tuple[str, ...], Path | None]:
    try:
        from flare.settings import load_settings

        settings = load_settings()
    except Exception:  # a bad unrelated setting must not stop a file triage
        return (), None
    return settings.brand.handles, settings.playbook


def _playbook(path: Path | None, from_settings: bool = False) -> Playbook:
    try:
        return load_playbook(path)
    except PlaybookError as exc:
        err.print(str(exc), markup=False, highlight=False)
        if from_settings:
            err.print("FLARE_PLAYBOOK names this file; `flare rules check` shows every problem.")
        raise typer.Exit(2) from None


def _in_use(
    playbook: Path | None, brand: list[str] | None
) -> tuple[Path | None, Playbook, tuple[str, ...]]:
    """Path and playbook (given, else FLARE_PLAYBOOK, else the shipped one), and brand handles."""
    default_handles, default_playbook = _settings_defaults()
    path = playbook or default_playbook
    return path, _playbook(path, from_settings=playbook is None), _handles(brand, default_handles)


def _now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        return parse_time(value, "--now")
    except PayloadError:
        raise typer.BadParameter(
            f"not an ISO-8601 time: {value!r} (e.g. 2026-11-20T12:00:00Z)", param_hint="--now"
        ) from None


def _handles(brand: list[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if not brand:
        return default
    return tuple(handle(h) for part in brand for h in part.split(",") if h.strip())


def triage_command(
    file: MentionsFile,
    brand: Annotated[
        list[str] | None,
        typer.Option(
            "--brand",
            help="The brand's X handle, without @ (repeatable, or comma-separated); "
            "default FLARE_BRAND__HANDLES. Posts by it are dropped as the brand's own.",
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="Decide as of this time, ISO 8601 (2026-11-20T12:00:00Z); default now. "
            "Response targets and lateness are measured from it.",
        ),
    ] = None,
    playbook: PlaybookOption = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes reading the posts' text while this one decides; default one per "
            "CPU. 1 reads and decides in this process alone.",
        ),
    ] = os.cpu_count() or 1,
) -> None:
    """Decide every mention in FILE, no Redis needed: one JSON decision per line on stdout.

    Mentions are decided oldest first with a memory of what came before, so spikes and repeat
    authors count as they would live. A line that can't be read is named on stderr and prints
    `{"id": null, "error": ...}` in its place on stdout. Exit 1 when no line could be read.
    On a terminal, stderr shows how far it has got.

    **Example**: `flare triage cli/samples/demo.jsonl --brand acme --now 2026-11-20T12:00:00Z`
    decides the sample as of just after its last post and writes the decisions to stdout
    (`> out.jsonl` keeps them). Without `--now` it decides as of now, when posts older than the
    playbook's maximum age are recorded, not chased.
    """
    _, book, handles = _in_use(playbook, brand)
    engine = Engine(book, handles)
    when = _now(now)
    read = read_with_progress(file)
    decisions = iter(decide_all(engine, read.mentions, when, processes=jobs))
    out = sys.stdout
    for number, got in read.lines:
        if isinstance(got, str):
            err.print(f"{file}:{number}: {got}", markup=False, highlight=False)
            out.write(json.dumps({"id": None, "error": f"line {number}: {got}"}) + "\n")
            continue
        for _ in got:
            out.write(json.dumps(next(decisions).as_line(), default=str) + "\n")
    out.flush()
    if not read.lines:
        err.print(f"{file}: no lines to read", markup=False, highlight=False)
    elif not read.mentions:
        raise typer.Exit(1)


@rules_app.command("check")
def check_command(
    path: Annotated[
        Path | None,
        typer.Argument(help="Playbook file; default FLARE_PLAYBOOK, else the shipped one."),
    ] = None,
) -> None:
    """Validate a playbook: exit 0 if it can be used, else print file:line: field: problem.

    Every problem is listed on stderr, one per line, and the exit status is 1.

    **Examples**: `flare rules check my-playbook.yaml`; `flare rules check` (the one in use).
    """
    target = path or _settings_defaults()[1]
    try:
        book = load_playbook(target)
    except PlaybookError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from None
    where = target or default_playbook_path()
    typer.echo(
        f"ok: {where}: {len(book.topics)} topics, {len(book.risks)} risk categories, "
        f"{len(book.templates)} templates, {len(book.vip)} VIP handles"
    )


@rules_app.command("explain")
def explain_command(
    text: Annotated[str, typer.Argument(help="The post's text, quoted.")],
    followers: Annotated[int, typer.Option(min=0, help="The author's followers.")] = 100,
    verified: Annotated[bool, typer.Option("--verified", help="The author is verified.")] = False,
    reposts: Annotated[int, typer.Option(min=0, help="Reposts so far.")] = 0,
    replies: Annotated[int, typer.Option(min=0, help="Replies so far.")] = 0,
    age: Annotated[str, typer.Option(help="How old the post is: 90s, 10m, 2h, 3d.")] = "1m",
    username: Annotated[str, typer.Option(help="The author's handle, without @.")] = "someone",
    lang: Annotated[
        str | None,
        typer.Option(help="The language the source tags it with (es, fr, ...); default: detected."),
    ] = None,
    brand: Annotated[
        list[str] | None,
        typer.Option(
            "--brand",
            help="The brand's handle (repeatable); default FLARE_BRAND__HANDLES, else acme.",
        ),
    ] = None,
    playbook: PlaybookOption = None,
) -> None:
    """Decide one made-up post and show why.

    The action, priority, topic and response target, the reasons, every signal that fired, and
    the reply its template would draft.

    **Example**: `flare rules explain "@acme I'll sue you, my card was charged twice"
    --followers 12000 --age 2h`, or `flare rules explain "@acme los voy a demandar" --lang es`
    """
    _, book, handles = _in_use(playbook, brand)
    handles = handles or ("acme",)
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
        lang=lang,
    )
    decision = Engine(book, handles).decide(mention, MemoryContext(), now)
    show_decision(decision, mention, book)


def shown(value: Any) -> bool:
    """A signal worth a row: anything but nothing, no, or an empty list, text or mapping.

    A number always is, 0 included: a sentiment of 0.0 or no followers says something, and
    `0 == False` must not hide it.
    """
    if value is None or value is False:
        return False
    return not (isinstance(value, str | list | dict | tuple) and not value)


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
        if not shown(value):
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
    incidents = sum(1 for d in decisions if d.action is Action.CRISIS and d.spike_opened)
    cards = sum(1 for d in decisions if d.action.needs_person and d.action is not Action.CRISIS)
    out = {a.value: counts.get(a.value, 0) for a in Action}
    out["cards"] = cards
    out["incidents"] = incidents
    out["pages"] = counts.get(Action.ESCALATE_PR.value, 0) + incidents
    out["late"] = sum(1 for d in decisions if d.late)
    return out


@rules_app.command("backtest")
def backtest_command(
    file: MentionsFile,
    playbook: PlaybookOption = None,
    against: Annotated[
        Path | None, typer.Option("--against", help="A second playbook, shown beside the first.")
    ] = None,
    brand: Annotated[
        list[str] | None,
        typer.Option(
            "--brand", help="The brand's handle (repeatable); default FLARE_BRAND__HANDLES."
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="Decide as of this ISO-8601 time; default a minute after the newest post.",
        ),
    ] = None,
) -> None:
    """What a playbook would have made of FILE: actions, cards, incidents and pages.

    Mentions per action, the cards agents would have seen, incidents opened, PR pages and late
    answers; with --against, two playbooks side by side.

    Lines that can't be read are named on stderr and left out; exit 1 if none could be read.

    **Example**: `flare rules backtest cli/samples/demo.jsonl --against my-playbook.yaml`
    """
    first_path, first, handles = _in_use(playbook, brand)
    books = [(first_path, first)]
    if against is not None:
        books.append((against, _playbook(against)))
    when_given = _now(now) if now else None
    read = read_with_progress(file)
    for number, problem in read.errors:
        err.print(f"{file}:{number}: {problem}", markup=False, highlight=False)
    mentions = read.mentions
    if not mentions:
        err.print(f"{file}: no mention could be read", markup=False, highlight=False)
        raise typer.Exit(1)
    when = when_given or max(m.created_at for m in mentions) + timedelta(minutes=1)
    columns: list[tuple[str, dict[str, Any]]] = [
        (str(path or "shipped playbook"), tally(decide_all(Engine(book, handles), mentions, when)))
        for path, book in books
    ]
    table = Table(
        "",
        *(name for name, _ in columns),
        title=f"backtest: {len(mentions)} mentions as of {when.isoformat(timespec='minutes')}",
    )
    for row in columns[0][1]:
        table.add_row(row, *(str(c[row]) for _, c in columns))
    console.print(table)
