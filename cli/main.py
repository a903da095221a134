"""The `flare` command line: one entry point, settings built here and passed down."""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import redis
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.audit import audit_command
from cli.console import err, given, settings_or_exit
from cli.crisis import crisis_app
from cli.dlq import dlq_app
from cli.health import health_command
from cli.listen import listen_command, spend_command
from cli.missed import TooOld, missed_command
from cli.progress import progress
from cli.report import forget_command, report_command
from cli.rules import rules_app, triage_command
from flare import logs
from flare.connection import connect
from flare.redis_server import EmbeddedRedisError
from flare.settings import masked, without_password
from rules.playbook import PlaybookError

app = typer.Typer(
    name="flare",
    help=(
        "Flare: social media care escalation. Mentions come in (X, webhooks, files), the playbook "
        "decides what each needs, and the ones that need a person reach Slack as cards.\n\n"
        "Start with `flare demo`: no accounts needed. A deployment runs `flare listen`, "
        "`flare worker` and `flare bot`, which meet in one Redis: FLARE_REDIS_URL, or when that "
        "is empty a server Flare starts itself in FLARE_DATA_DIR (default ./.flare). Settings "
        "are FLARE_* environment variables; `flare config` shows them.\n\n"
        "`flare COMMAND --help` says what each command needs, with an example."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console()
log = logging.getLogger(__name__)


class Level(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


def _version(asked: bool) -> None:
    if asked:
        console.print(f"flare {version('flare')}", highlight=False)
        raise typer.Exit()


@app.callback()
def root(
    log_level: Annotated[
        Level | None,
        typer.Option(
            case_sensitive=False,
            help="Log at this level and above (default FLARE_LOG_LEVEL; else INFO for worker, "
            "bot and listen, WARNING for the rest). FLARE_LOG_FORMAT=json logs JSON lines.",
            show_default=False,
        ),
    ] = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print Flare's version and exit."
        ),
    ] = False,
) -> None:
    """Options that come before the command: `flare --log-level DEBUG worker`."""
    given.clear()
    if log_level is not None:
        given["log_level"] = log_level.value


def demo(
    follow: Annotated[
        bool, typer.Option(help="Keep the workers running afterwards and draw new cards.")
    ] = False,
    slack: Annotated[
        bool,
        typer.Option(
            help="Post the cards to the real workspace set in FLARE_SLACK__* instead of drawing "
            "them here."
        ),
    ] = False,
    sample: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="Replay this JSON-lines file instead of the bundled sample.",
        ),
    ] = None,
    teams_cards: Annotated[
        Path | None,
        typer.Option(
            file_okay=False,
            help="Also write each case's Microsoft Teams card here, as Adaptive Card JSON.",
        ),
    ] = None,
    web: Annotated[
        bool,
        typer.Option(
            help="Serve the demo as a page to work by hand in a browser (docs/demo.md): the "
            "stand-in Slack and X, every button going to Flare's own Slack app."
        ),
    ] = False,
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="The --web page's port (0: any free one).")
    ] = 8750,
    speed: Annotated[
        float,
        typer.Option(
            min=0.1, max=100.0, help="How fast the --web story is told (2: twice as fast)."
        ),
    ] = 1.0,
) -> None:
    """Run the whole pipeline on embedded defaults and show what agents would see.

    No accounts and no servers needed.

    Starts Flare's own Redis with its data in FLARE_DATA_DIR/demo (wiped at each start), a
    stand-in for Slack, replays about 100 sample mentions, triages them, draws each card here and
    ends with a summary.

    **Examples**: `flare demo`; `flare demo --follow`, then in another terminal
    `FLARE_DATA_DIR=.flare/demo flare replay FILE`; `flare demo --web`, then open the page
    it names.
    """
    from cli.demo import run_demo

    settings = settings_or_exit()
    ignored = [
        name
        for name, given in (
            ("--slack", slack),
            ("--follow", follow),
            ("--sample", sample is not None),
            ("--teams-cards", teams_cards is not None),
        )
        if given
    ]
    if web and ignored:  # the page tells its own story, with its own stand-ins
        err.print(
            f"[red]--web tells the demo's own story: {', '.join(ignored)} cannot go with it.[/red]"
        )
        raise typer.Exit(2)
    if not web and (port != 8750 or speed != 1.0):
        err.print("[red]--port and --speed are for the --web page: add --web.[/red]")
        raise typer.Exit(2)
    if web:
        from cli.showcase import run_showcase

        run_showcase(settings, console, port, speed=speed)
        return
    if slack and not settings.slack.configured:
        err.print(
            "[red]--slack needs FLARE_SLACK__BOT_TOKEN and FLARE_SLACK__SIGNING_SECRET.[/red]"
        )
        raise typer.Exit(2)
    run_demo(
        settings, console, sample=sample, use_slack=slack, follow=follow, teams_cards=teams_cards
    )


def replay(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="JSON lines: X v2 messages or Flare mentions."
        ),
    ],
) -> None:
    """Take in a file of mentions: normalise, dedupe, and queue them for triage.

    Each line is an X API v2 message (a stream line or a lookup answer) or a Flare mention (see
    docs/intake.md). A line that can't be read is named with its line number and kept as a dead
    letter (`flare dlq list`); the others go through. A post already taken in, from any source,
    is not queued again. Run `flare worker` to triage what is queued. Posts older than the
    playbook's max_age are counted: they are recorded, not pushed at agents (`flare missed`
    lists them). Exit 1 when the file has lines but none could be read; a file whose first 10
    lines are all unreadable is not read further, and what it looks like is said (a CSV, a JSON
    array, an HTML page). On a terminal, stderr shows how far it has got.

    **Example**: `flare replay mentions.jsonl`
    """
    from flare.time import utcnow
    from rules.playbook import load_playbook
    from workers.intake import Intake

    settings = settings_or_exit()
    intake = Intake.for_settings(settings, connect(settings))
    too_old = TooOld(load_playbook(settings.playbook).max_age, utcnow())
    with progress(err, f"Replaying {file.name}", file.stat().st_size, in_bytes=True) as step:
        report = intake.replay_file(file, progress=step, through=too_old.counting)
    for where, error in report.dead:
        err.print(f"{escape(where)}: {escape(error)} [dim](kept as a dead letter)[/dim]")
    console.print(
        f"{report.read} mentions read, {report.new} queued for triage, "
        f"{report.duplicates} already seen, {len(report.dead)} dead letters",
        highlight=False,
    )
    if too_old.count:
        console.print(too_old.said(), highlight=False, soft_wrap=True)
    if not report.read and not report.dead:
        err.print(f"{escape(str(file))}: no lines to read")
    if report.looks_like:
        what = (
            "its first lines are all unreadable, so the rest was not read"
            if report.stopped
            else "none of its lines reads"
        )
        err.print(
            f"[red]{escape(str(file))}[/red]: {what}: {escape(report.looks_like)}.", highlight=False
        )
    if report.dead and not report.read:
        raise typer.Exit(1)


def worker(
    queues: Annotated[
        str | None,
        typer.Option(
            help="Serve only these queues, in this one process (comma-separated: page, act, "
            "urgent, notify, triage), to scale one kind of work on its own.",
            show_default=False,
        ),
    ] = None,
    burst: Annotated[
        bool, typer.Option(help="Work off what is queued in this process, then exit.")
    ] = False,
) -> None:
    """Run the background workers: pages, replies and DMs, cards, triage, and the timers.

    They page PR down an incident's chain, send agents' replies and DMs to X, post and update
    the cards in Slack, triage what intake queued, and run reminders and lease expiry. By
    default one process per lane, so that nothing can hold up anything else: **pages** (the
    page queue), **chat** (act, then notify: a person waiting on a reply comes before a new
    card) and **triage** (urgent first: the posts intake's screen picked out for a possible PR
    risk, danger or VIP). Each runs its jobs in itself (the playbook and clients are built once)
    and a lane that dies is started again. The jobs of a worker that died (kill -9, a lost
    host) are taken back and run again within about 15 seconds.

    Needs the Redis that intake uses (FLARE_REDIS_URL, or FLARE_DATA_DIR for Flare's own) and
    the playbook (FLARE_PLAYBOOK). Without FLARE_SLACK__BOT_TOKEN and FLARE_SLACK__SIGNING_SECRET
    cases are triaged and stored but no card is posted. Run as many as you like, on any host
    that reaches Redis.

    **Examples**: `flare worker`; `flare worker --queues page` (a process for pages alone);
    `flare worker --burst` (work off the queue, then exit).
    """
    from cli import wiring
    from cli.worker import run_lane, run_lanes, run_workers
    from flare.queues import QueueName
    from workers import runtime
    from workers.lane import LANES

    settings = settings_or_exit(service=True)
    chosen: tuple[QueueName, ...] = ()
    if queues is not None:
        names = [name.strip() for name in queues.split(",") if name.strip()]
        known = [q.value for q in QueueName]
        unknown = [name for name in names if name not in known]
        if unknown or not names:
            err.print(
                f"[red]Unknown queue {', '.join(unknown) or '(none given)'}[/red]: "
                f"--queues takes {', '.join(known)}.",
                highlight=False,
            )
            raise typer.Exit(2)
        chosen = tuple(QueueName(name) for name in names)
    client = connect(settings)
    # a broken playbook stops the start here, before any lane is started
    built = wiring.build_runtime(settings, client)
    where = settings.redis_url or settings.data_dir
    if burst:
        plan = "all queues, until they are empty"
    elif chosen:
        plan = f"queues {', '.join(chosen)}"
    else:
        plan = "; ".join(f"{name}: {', '.join(qs)}" for name, qs in LANES.items())
    # logged, not printed: with FLARE_LOG_FORMAT=json every line a service writes is JSON
    log.info("Flare worker on %s (%s)", without_password(str(where)), plan)
    if not settings.slack.configured:
        log.warning(
            "Slack is not configured (FLARE_SLACK__BOT_TOKEN, FLARE_SLACK__SIGNING_SECRET): "
            "cases are triaged and stored, but no cards are posted."
        )
    if burst:
        runtime.install(built)
        run_workers(client, burst=True, fork=False)
    elif chosen:
        run_lane(settings, chosen, built=built)
    else:
        raise typer.Exit(run_lanes(settings, LANES))


def bot(
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="HTTP port (default FLARE_PORT, 3000).")
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(help="Interface to listen on (default FLARE_HOST, 127.0.0.1)."),
    ] = None,
) -> None:
    """Run the Slack app agents work in (Socket Mode or HTTP), with /healthz and /metrics.

    Needs FLARE_SLACK__BOT_TOKEN and FLARE_SLACK__SIGNING_SECRET, or Teams alone: with
    FLARE_TEAMS__APP_ID set it also answers Teams at /api/messages (docs/teams.md). With
    FLARE_SLACK__APP_TOKEN set it talks to Slack over Socket Mode (no public URL); otherwise
    Slack posts to http://HOST:PORT/slack/events. Either way the port also answers /healthz and
    /metrics, and POST /intake when FLARE_INTAKE__WEBHOOK_SECRET is set. Setting up the app:
    docs/slack.md.

    On SIGTERM it stops taking requests and finishes the clicks it acknowledged (at most 8 s),
    then exits; with status 1 if some could not finish.

    **Example**: `flare bot --port 3000`
    """
    from cli.bot import run_bot
    from workers.intake import webhook_routes

    settings = settings_or_exit(service=True)
    missing = [
        name
        for name, value in (
            ("FLARE_SLACK__BOT_TOKEN", settings.slack.bot_token),
            ("FLARE_SLACK__SIGNING_SECRET", settings.slack.signing_secret),
        )
        if value is None
    ]
    if missing and (len(missing) == 1 or not settings.teams.enabled):  # Teams alone will do
        err.print(
            f"[red]`flare bot` needs {' and '.join(missing)} (see docs/slack.md), or Teams "
            "alone (FLARE_TEAMS__APP_ID, docs/teams.md); `flare demo` runs without either.[/red]"
        )
        raise typer.Exit(2)
    from cli.wiring import team_of, teams_routes_for

    for line in team_of(settings).rights():  # who may do what, said before anyone clicks
        log.log(logging.WARNING if ": nobody" in line else logging.INFO, "%s", line)
    client = connect(settings, socket_timeout=1.5)
    where = host or settings.host
    routes = {**webhook_routes(settings, client), **teams_routes_for(settings, client)}
    if not run_bot(settings, client, where, port or settings.port, routes):
        raise typer.Exit(1)  # acknowledged clicks left unfinished: said in the log


def config() -> None:
    """Print the effective settings, secrets masked.

    Each is a FLARE_* environment variable or its default; secrets show only as set or unset.

    Names nest with a double underscore: FLARE_SLACK__BOT_TOKEN is `bot_token` of `slack`.
    Lists are comma-separated (FLARE_BRAND__HANDLES=acme,acmehelp). A bad value stops every
    command at start with a message naming the variable.
    """
    table = Table("variable", "value", title="Flare settings")
    for name, value in masked(settings_or_exit()).items():
        table.add_row(name, escape(value))
    console.print(table)


def doctor() -> None:
    """Check every setting against the services it names, and say what to fix.

    Redis (reachable, with the append-only file on), the playbook, who may act, Slack (the bot
    token's auth.test, each channel exists and the app is in it, the app token, what Slack
    refused the workers since), X (the credentials and their access level), email, and the
    workers (every queue served). Exit 1 when something is wrong; warnings say what is off
    or less than it could be.

    **Example**: `flare doctor`
    """
    from cli.doctor import SIGN, Mark, examine

    settings = settings_or_exit()
    wrong = warned = 0
    for finding in examine(settings, connect(settings, socket_timeout=5)):
        console.print(f"{SIGN[finding.mark]} {escape(finding.what)}", highlight=False)
        if finding.fix:
            console.print(f"    [dim]→[/dim] {escape(finding.fix)}", highlight=False)
        wrong += finding.mark is Mark.WRONG
        warned += finding.mark is Mark.WARN
    if wrong:
        console.print(f"\n{wrong} problem(s), {warned} warning(s): fix them, then run it again.")
        raise typer.Exit(1)
    console.print(f"\nReady: nothing wrong, {warned} warning(s).", highlight=False)


# in the order a newcomer meets them: try it, run it, then the tools
app.command("demo")(demo)
app.command("listen")(listen_command)
app.command("replay")(replay)
app.command("worker")(worker)
app.command("bot")(bot)
app.command("triage")(triage_command)
app.add_typer(rules_app, name="rules")
app.add_typer(dlq_app, name="dlq")
app.command("audit")(audit_command)
app.command("missed")(missed_command)
app.add_typer(crisis_app, name="crisis")
app.command("spend")(spend_command)
app.command("report")(report_command)
app.command("forget")(forget_command)
app.command("config")(config)
app.command("health")(health_command)
app.command("doctor")(doctor)


def main() -> None:
    logs.setup("WARNING")  # until a command has its settings
    try:
        app()
    except PlaybookError as exc:
        err.print(f"[red]The playbook can't be used:[/red]\n{escape(str(exc))}")
        err.print("Check it with `flare rules check PATH`; FLARE_PLAYBOOK names the file in use.")
        sys.exit(2)
    except redis.ConnectionError as exc:
        err.print(f"[red]Redis can't be reached:[/red] {escape(without_password(str(exc)))}")
        err.print("FLARE_REDIS_URL names the server; leave it empty to use Flare's own.")
        sys.exit(3)
    except EmbeddedRedisError as exc:
        err.print(f"[red]Flare's own Redis can't be started:[/red] {escape(str(exc))}")
        err.print("Set FLARE_DATA_DIR to a directory you can write, or FLARE_REDIS_URL.")
        sys.exit(3)
    except OSError as exc:
        if exc.filename is None:
            raise
        err.print(f"[red]{escape(str(exc.filename))}:[/red] {escape(exc.strerror or str(exc))}")
        sys.exit(2)
