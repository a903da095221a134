"""The `flare listen` and `flare spend` commands (registered by cli.main)."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.console import settings_or_exit
from flare.connection import connect

console = Console(soft_wrap=True)  # one line per message, also in `docker compose logs`


def _say(line: str) -> None:
    console.print(line, markup=False, highlight=False)


def listen_command(
    stream: Annotated[bool, typer.Option(help="Read the X filtered stream.")] = True,
    poll: Annotated[
        bool, typer.Option(help="Poll the brand's X mentions every FLARE_INTAKE__POLL_INTERVAL.")
    ] = True,
    webhook: Annotated[bool, typer.Option(help="Take signed mentions at POST /intake.")] = True,
    port: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65535,
            help="HTTP port for /intake, /healthz and /metrics (default FLARE_INTAKE__PORT, 3001).",
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(help="Interface the HTTP port listens on (default FLARE_HOST, 127.0.0.1)."),
    ] = None,
    spend: Annotated[
        bool, typer.Option("--spend", help="Only show X API spend (last 7 days) and exit.")
    ] = False,
) -> None:
    """Take mentions in: X filtered stream, X mentions polling with gap backfill, and /intake.

    Each post is read once, deduped across sources and restarts, and queued for triage in
    batches (run `flare worker` to triage them). Run one per X app: X allows one stream
    connection. At start it says which sources run and why the others are skipped.

    **Settings**: the stream needs FLARE_X__BEARER_TOKEN and FLARE_BRAND__HANDLES (or
    FLARE_INTAKE__STREAM_KEYWORDS); polling and the gap backfill also need FLARE_X__USER_ID
    (the brand account's numeric id); /intake takes only requests signed with
    FLARE_INTAKE__WEBHOOK_SECRET. FLARE_X__API_URL points every X call elsewhere (a test
    server). More in docs/intake.md.

    **Examples**: `flare listen`; `flare listen --no-stream` (accounts without stream
    access); `flare listen --no-webhook`.

    The HTTP port answers /healthz and /metrics whatever the sources. Exits with status 2 when
    no source can bring a mention in. Stops on Ctrl-C or SIGTERM after handing the mentions it
    holds to Redis; those Redis does not take within 10 s are kept in FLARE_DATA_DIR and handed
    on at the next start, before anything new. Exits with status 1 if some could not be kept.
    """
    if spend:
        spend_command(days=7)
        return
    from workers.listen import run_listen

    settings = settings_or_exit(service=True)
    client = connect(settings)
    client.ping()  # an unreachable Redis is said at once (cli.main.main), not after a batch
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    with contextlib.suppress(KeyboardInterrupt):  # run_listen has stopped cleanly by then
        listener = run_listen(
            settings,
            client,
            stream=stream,
            poll=poll,
            webhook=webhook,
            host=host or settings.host,
            port=port,
            say=_say,
            stop=stop,
        )
        if not listener.takes_anything_in:
            raise typer.Exit(2)
        if listener.lost:
            raise typer.Exit(1)  # mentions neither handed on nor kept: said above


def spend_command(
    days: Annotated[int, typer.Option(min=1, max=400, help="How many UTC days back.")] = 7,
) -> None:
    """X API use per endpoint and day, with its estimated cost (prices: FLARE_X__PRICE_*).

    Every X call Flare makes is counted in Redis per UTC day: mentions polls (owned reads),
    stream posts and their authors, searches, replies, DMs; stream rules and connections are
    free. It is an estimate: X bills from its own meter and dedupes reads per UTC day.

    **Example**: `flare spend --days 30`.
    """
    from workers.spend import Rates, Spend

    settings = settings_or_exit()
    spend = Spend(connect(settings), Rates.of(settings.x))
    table = Table("day (UTC)", "endpoint", "calls", "posts", "users", "est. $", title="X API spend")
    total = 0.0
    for day, endpoint, usage, dollars in spend.report(days):
        total += dollars
        table.add_row(
            day.isoformat(),
            endpoint,
            str(usage.calls),
            str(usage.posts),
            str(usage.users),
            f"{dollars:.3f}",
        )
    table.add_row("", "total", "", "", "", f"{total:.3f}")
    console.print(table)
