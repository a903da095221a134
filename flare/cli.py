"""The `flare` command line: one entry point, settings built here and passed down."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import redis
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flare.cli_listen import listen_command, spend_command
from flare.cli_rules import rules_app, triage_command
from flare.settings import Settings, SettingsError, load_settings, masked
from rules.playbook import PlaybookError

app = typer.Typer(
    name="flare",
    help=(
        "Flare: social media care escalation. Mentions come in (X, webhooks, files), the playbook "
        "decides what each needs, and the ones that need a person reach Slack as cards.\n\n"
        "Start with `flare demo`: no accounts needed. Settings come from FLARE_* environment "
        "variables (see `flare config`)."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
dlq_app = typer.Typer(
    help="Payloads that could not be read: list, show, and replay them.", no_args_is_help=True
)
app.add_typer(dlq_app, name="dlq")
app.add_typer(rules_app, name="rules")
app.command("triage")(triage_command)
app.command("listen")(listen_command)
app.command("spend")(spend_command)

console = Console()
err = Console(stderr=True, soft_wrap=True)  # errors keep paths and names on one line


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def _redis(settings: Settings, socket_timeout: float | None = None) -> redis.Redis:
    from flare.connection import connect

    return connect(settings, socket_timeout)


@app.command()
def config() -> None:
    """Print the effective settings, secrets masked."""
    table = Table("variable", "value", title="Flare settings")
    for name, value in masked(_settings()).items():
        table.add_row(name, value)
    console.print(table)


@app.command()
def replay(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="JSON lines: X v2 messages or Flare mentions."
        ),
    ],
) -> None:
    """Take in a file of mentions: normalise, dedupe, and queue them for triage.

    A line that can't be read is reported with its line number and kept as a dead letter
    (see `flare dlq`); the others go through. Run `flare worker` to triage them.
    """
    from workers.intake import Intake

    settings = _settings()
    intake = Intake(_redis(settings))
    report = intake.replay_file(file)
    for where, error in report.dead:
        err.print(f"[yellow]{where}[/yellow]: {error} (kept as a dead letter)")
    console.print(
        f"{report.read} mentions read, {report.new} queued for triage, "
        f"{report.duplicates} already seen, {len(report.dead)} dead letters"
    )


@app.command()
def worker(
    burst: Annotated[bool, typer.Option(help="Stop when the queues are empty.")] = False,
    fork: Annotated[bool, typer.Option(help="Run each job in a forked work horse.")] = True,
) -> None:
    """Run the background workers (triage, cards, actions) with the scheduler."""
    from workers import runtime
    from workers.runner import run_workers

    settings = _settings()
    client = _redis(settings)
    runtime.install(runtime.build(settings, client))
    where = settings.redis_url or settings.data_dir
    err.print(f"Flare worker on {where} (queues act, notify, triage)")
    if not settings.slack.configured:
        err.print(
            "[yellow]Slack is not configured (FLARE_SLACK__BOT_TOKEN, "
            "FLARE_SLACK__SIGNING_SECRET): cases are triaged and stored, "
            "but no cards are posted.[/yellow]"
        )
    run_workers(client, burst=burst, fork=fork)


@app.command()
def bot(
    port: Annotated[int | None, typer.Option(help="HTTP port (default FLARE_PORT, 3000).")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "0.0.0.0",
) -> None:
    """Run the Slack app: HTTP at /slack/events (or Socket Mode with FLARE_SLACK__APP_TOKEN),
    plus /healthz, /metrics, and POST /intake when FLARE_INTAKE__WEBHOOK_SECRET is set."""
    from bot.runner import run_bot
    from workers.intake import webhook_routes

    settings = _settings()
    if not settings.slack.configured:
        err.print(
            "[red]FLARE_SLACK__BOT_TOKEN and FLARE_SLACK__SIGNING_SECRET must be set "
            "for `flare bot` (try `flare demo` for a run without Slack).[/red]"
        )
        raise typer.Exit(2)
    client = _redis(settings, socket_timeout=1.5)
    run_bot(settings, client, host, port or settings.port, webhook_routes(settings, client))


@app.command()
def demo(
    follow: Annotated[bool, typer.Option(help="Keep running and show new cards.")] = False,
    slack: Annotated[
        bool, typer.Option(help="Post to the real workspace in FLARE_SLACK__*.")
    ] = False,
    sample: Annotated[
        Path | None, typer.Option(help="Replay this file instead of the bundled sample.")
    ] = None,
) -> None:
    """Run the whole pipeline on embedded defaults and show what agents would see.

    Starts Flare's own Redis (data under <data dir>/demo, wiped at start), a local stand-in
    for Slack, replays about 100 sample mentions, triages them, and draws each card here.
    """
    from workers.demo import run_demo

    settings = _settings()
    if slack and not settings.slack.configured:
        err.print(
            "[red]--slack needs FLARE_SLACK__BOT_TOKEN and FLARE_SLACK__SIGNING_SECRET.[/red]"
        )
        raise typer.Exit(2)
    run_demo(settings, console, sample=sample, use_slack=slack, follow=follow)


@dlq_app.command("list")
def dlq_list() -> None:
    """List dead letters: id, source, where, error."""
    from flare.dlq import DeadLetters

    letters = DeadLetters(_redis(_settings())).all()
    table = Table("id", "source", "where", "error", title=f"{len(letters)} dead letters")
    for letter in letters:
        table.add_row(letter.id, letter.source, letter.where, letter.error)
    console.print(table)


@dlq_app.command("show")
def dlq_show(record_id: Annotated[str, typer.Argument(help="Dead letter id.")]) -> None:
    """Show one dead letter with its raw payload."""
    from flare.dlq import DeadLetters

    letter = DeadLetters(_redis(_settings())).get(record_id)
    if letter is None:
        err.print(f"[red]no dead letter {record_id}[/red]")
        raise typer.Exit(1)
    console.print(f"id {letter.id} · {letter.source} · {letter.where} · {letter.at}")
    console.print(f"error: {letter.error}")
    sys.stdout.write(letter.raw.decode("utf-8", errors="replace") + "\n")


@dlq_app.command("replay")
def dlq_replay(
    record_id: Annotated[str | None, typer.Argument(help="One id; all when left out.")] = None,
) -> None:
    """Try dead letters again (after fixing the playbook or the sender); those that now read
    are queued and leave the list."""
    from workers.intake import Intake, IntakeReport

    intake = Intake(_redis(_settings()))
    ids = [record_id] if record_id else intake.dead_letters.ids()
    report = IntakeReport()
    failed = 0
    for rid in ids:
        error = intake.replay_dead_letter(rid, report)
        if error:
            failed += 1
            err.print(f"[yellow]{rid}[/yellow]: still unreadable: {error}")
    console.print(f"{len(ids) - failed} replayed ({report.new} queued), {failed} still dead")
    if failed and record_id:
        raise typer.Exit(1)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    try:
        app()
    except PlaybookError as exc:
        err.print(f"[red]The playbook can't be used:[/red]\n{escape(str(exc))}")
        err.print("Check it with `flare rules check PATH`; FLARE_PLAYBOOK names the file in use.")
        sys.exit(2)
    except redis.ConnectionError as exc:
        err.print(f"[red]Redis can't be reached:[/red] {escape(str(exc))}")
        err.print("FLARE_REDIS_URL names the server; leave it empty to use Flare's own.")
        sys.exit(3)
