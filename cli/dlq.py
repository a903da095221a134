"""`flare dlq list | show | replay | drop` (registered by cli.main): the dead letters, handled."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.console import err, inert, settings_or_exit
from flare.connection import connect
from flare.dlq import PAGE, DeadLetters
from rules.duration import parse_duration

console = Console()
dlq_app = typer.Typer(
    help=(
        "Payloads that could not be read: list, show, replay and drop them.\n\n"
        "Dead letters come from `flare replay`, the X stream and polls, and POST /intake; each "
        "is kept whole with its source, where it came from and why it was refused. The same "
        "payload kept again counts once more on its letter, not as a second one."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


def _letters() -> DeadLetters:
    letters = DeadLetters(connect(settings_or_exit()))
    letters.upgrade()  # letters an earlier Flare kept in a plain list: indexed once
    return letters


@dlq_app.command("list")
def list_command(
    page: Annotated[int, typer.Option(min=1, help="Which page, from 1 (the oldest).")] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=1000, help="Letters a page.")] = PAGE,
) -> None:
    """List dead letters a page at a time, oldest first, after a count by error.

    Each row: id, source, where it came from, how many times the same payload came in, and why
    it was refused.

    **Examples**: `flare dlq list`; `flare dlq list --page 2`; then `flare dlq show ID` for the
    raw payload, `flare dlq drop --all` to clear them.
    """
    shown = _letters().page(page, per_page)
    if not shown.total:
        console.print("no dead letters")
        return
    console.print(f"{shown.total:,} dead letters", highlight=False)
    kinds = Table("letters", "error", title="by error", title_justify="left")
    for kind, n in shown.by_error[:10]:
        kinds.add_row(f"{n:,}", escape(inert(kind)))
    if len(shown.by_error) > 10:
        rest = sum(n for _, n in shown.by_error[10:])
        kinds.add_row(f"{rest:,}", f"({len(shown.by_error) - 10} other errors)")
    console.print(kinds)
    where = f"page {shown.number} of {shown.pages}"
    table = Table("id", "source", "where", "times", "error", title=where, title_justify="left")
    for letter in shown.letters:
        cells = (letter.id, letter.source, letter.where, str(letter.count), letter.error)
        table.add_row(*(escape(inert(cell)) for cell in cells))
    console.print(table)
    if shown.number < shown.pages:
        console.print(f"next: flare dlq list --page {shown.number + 1}", highlight=False)


@dlq_app.command("show")
def show_command(
    record_id: Annotated[str, typer.Argument(help="Dead letter id, from `flare dlq list`.")],
) -> None:
    """Show one dead letter: where it came from, the error, then its payload as received (bytes
    that are not UTF-8 shown as �, control characters such as ESC written out as \\x1b).

    **Example**: `flare dlq show 12`
    """
    letter = _letters().get(record_id)
    if letter is None:
        err.print(f"[red]no dead letter {escape(record_id)}[/red]: `flare dlq list` shows the ids")
        raise typer.Exit(1)
    times = f" · came in {letter.count} times, last {letter.last_at}" if letter.count > 1 else ""
    console.print(
        inert(f"id {letter.id} · {letter.source} · {letter.where} · {letter.at}{times}"),
        markup=False,
        highlight=False,
    )
    console.print(inert(f"error: {letter.error}"), markup=False, highlight=False)
    sys.stdout.write(inert(letter.raw.decode("utf-8", errors="replace")) + "\n")


@dlq_app.command("replay")
def replay_command(
    record_id: Annotated[
        str | None, typer.Argument(help="One dead letter id; every one when left out.")
    ] = None,
) -> None:
    """Read dead letters again, as they were received; those that now read are queued for
    triage (each post still only once) and leave the list, the rest stay.

    Useful after an upgrade of Flare that reads what an earlier version refused. Exit 1 when the
    one asked for, or every one, is still unreadable.

    **Examples**: `flare dlq replay 12`; `flare dlq replay` (all of them).
    """
    from workers.intake import Intake, IntakeReport

    settings = settings_or_exit()
    intake = Intake.for_settings(settings, connect(settings))
    intake.dead_letters.upgrade()
    ids = [record_id] if record_id else intake.dead_letters.ids()
    if not ids:
        console.print("no dead letters to replay")
        return
    report = IntakeReport()
    failed = 0
    for rid in ids:
        error = intake.replay_dead_letter(rid, report)
        if error:
            failed += 1
            if record_id or failed <= 20:
                err.print(f"[yellow]{escape(rid)}[/yellow]: still unreadable: {escape(error)}")
    if failed > 20 and not record_id:
        err.print(f"… and {failed - 20} more still unreadable (`flare dlq list`)")
    console.print(
        f"{len(ids) - failed} replayed ({report.new} queued), {failed} still dead",
        highlight=False,
    )
    if failed and (record_id or failed == len(ids)):
        raise typer.Exit(1)


@dlq_app.command("drop")
def drop_command(
    record_ids: Annotated[
        list[str] | None, typer.Argument(help="Dead letter ids, from `flare dlq list`.")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Drop every dead letter.")] = False,
    older_than: Annotated[
        str | None,
        typer.Option(
            help="Drop those whose payload last came in longer ago than this: 12h, 7d, 2w.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Drop dead letters for good: the ones named, every one, or those older than a time.

    A payload dropped and received again makes a new letter.

    **Examples**: `flare dlq drop 12 13`; `flare dlq drop --older-than 7d`; `flare dlq drop --all`.
    """
    chosen = sum((bool(record_ids), every, older_than is not None))
    if chosen != 1:
        err.print("[red]Say which to drop[/red]: ids, --all or --older-than (one of them).")
        raise typer.Exit(2)
    if older_than is not None:
        try:
            age = parse_duration(older_than)
        except ValueError as exc:
            err.print(f"[red]--older-than {escape(older_than)}[/red]: {escape(str(exc))}")
            raise typer.Exit(2) from None
    letters = _letters()
    if every:
        dropped = letters.drop_all()
    elif older_than is not None:
        dropped = letters.drop_older_than(age.total_seconds())
    else:
        ids = record_ids or []
        dropped = letters.drop(*ids)
        if dropped < len(ids):
            missing = len(ids) - dropped
            err.print(f"[yellow]{missing} of the ids named were not dead letters[/yellow]")
    console.print(f"{dropped:,} dead letters dropped, {letters.count():,} left", highlight=False)
