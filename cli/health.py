"""`flare health` (registered by cli.main): is this container's Flare process alive, for probes."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from cli.console import err, settings_or_exit
from flare.connection import connect
from flare.queues import QueueName

console = Console()
BEAT_WITHIN = 60.0  # seconds: a lane whose last beat is older than this counts as gone


def health_command(
    port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Ask /healthz of the `flare bot` or `flare listen` on this port of 127.0.0.1.",
            show_default=False,
        ),
    ] = None,
    worker: Annotated[
        bool, typer.Option("--worker", help="Check the `flare worker` lanes on this host.")
    ] = False,
    queues: Annotated[
        str,
        typer.Option(help="With --worker: the queues a live lane on this host must serve."),
    ] = ",".join(QueueName),
) -> None:
    """Say whether this host's Flare process is alive; exit 1 if not. For container health
    checks and Kubernetes probes.

    With --port it asks the process's /healthz, which answers 200 when Redis is reachable and
    the process's own checks pass (a worker serves each queue; the X stream is connected).
    With --worker it looks in Redis for the lanes this host (this container, this pod) runs:
    each queue named must be served by one that beat its heart within the last minute.

    **Examples**: `flare health --port 3000`; `flare health --worker`;
    `flare health --worker --queues page`.
    """
    if (port is None) == (not worker):
        err.print("[red]Say what to check[/red]: --port PORT or --worker (one of them).")
        raise typer.Exit(2)
    if port is not None:
        raise typer.Exit(_http(port))
    wanted = [name.strip() for name in queues.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in set(QueueName)]
    if unknown or not wanted:
        err.print(f"[red]Unknown queue {', '.join(unknown) or '(none)'}[/red]", highlight=False)
        raise typer.Exit(2)
    raise typer.Exit(_lanes(wanted))


def _http(port: int) -> int:
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            console.print(f"{url}: {answer.read().decode().strip()}", highlight=False)
            return 0
    except urllib.error.HTTPError as exc:
        err.print(f"{url}: {exc.code} {exc.read().decode().strip()}", highlight=False)
    except OSError as exc:
        err.print(f"{url}: {exc}", highlight=False)
    return 1


def _lanes(wanted: list[str]) -> int:
    from rq import Worker

    client = connect(settings_or_exit(), socket_timeout=5)
    host = socket.gethostname()
    now = datetime.now(UTC)
    served: set[str] = set()
    for lane in Worker.all(connection=client):
        beat = lane.last_heartbeat
        if lane.hostname != host or beat is None:
            continue
        if (now - beat.replace(tzinfo=UTC)).total_seconds() <= BEAT_WITHIN:
            served.update(lane.queue_names())
    missing = [name for name in wanted if name not in served]
    if missing:
        err.print(f"no live lane on {host} serves {', '.join(missing)}", highlight=False)
        return 1
    console.print(f"lanes on {host} serve {', '.join(wanted)}", highlight=False)
    return 0
