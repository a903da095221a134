"""`flare demo`: the whole pipeline on embedded defaults, a stand-in Slack drawn in the terminal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli import terminal, wiring
from cli.standin import Call, SlackStandIn
from cli.worker import run_until_done, run_workers
from flare.connection import connect
from flare.settings import Settings
from rules.mention import Mention
from workers import runtime
from workers.intake import Intake, IntakeReport


def sample_path() -> Path:
    return Path(str(resources.files("cli") / "samples" / "demo.jsonl"))


def rebase(mentions: list[Mention], now: datetime) -> list[Mention]:
    """Shift the sample's clock so its newest post is a minute old, keeping every gap."""
    if not mentions:
        return mentions
    shift = now - timedelta(minutes=1) - max(m.created_at for m in mentions)
    return [m.model_copy(update={"created_at": m.created_at + shift}) for m in mentions]


@dataclass
class DemoResult:
    report: IntakeReport
    stats: dict[str, int]
    cards: list[tuple[str, str]]  # (channel, ts) of each top-level message, in order posted


def demo_settings(
    settings: Settings, standin: SlackStandIn | None, bundled: bool = True
) -> Settings:
    """The demo's settings: always its own Redis under <data dir>/demo, which it wipes at start.

    FLARE_REDIS_URL is ignored on purpose: the demo must never empty a Redis that holds a team's
    real queue. With the bundled sample the brand is @acme and @acmehelp, as the sample has it.
    """
    update: dict[str, Any] = {"data_dir": settings.data_dir / "demo", "redis_url": ""}
    if bundled:
        update["brand"] = settings.brand.model_copy(update={"handles": ("acme", "acmehelp")})
    if standin is not None:
        update["slack"] = settings.slack.model_copy(
            update={
                "api_url": standin.base_url,
                "bot_token": SecretStr("xoxb-flare-demo"),
                "signing_secret": SecretStr("flare-demo-secret"),
                "alerts_channel": "#social-care",
                "pr_channel": "#pr-escalations",
                "send_per_second": 100.0,  # the stand-in has no rate limit to respect
            }
        )
    return settings.model_copy(update=update)


def run_demo(
    settings: Settings,
    console: Console,
    sample: Path | None = None,
    use_slack: bool = False,
    follow: bool = False,
) -> DemoResult:
    standin = None if use_slack else SlackStandIn().start()
    settings = demo_settings(settings, standin, bundled=sample is None)
    client = connect(settings)
    client.flushdb()  # the demo's own database under <data dir>/demo: start from nothing
    rt = runtime.install(wiring.build_runtime(settings, client))
    intake = Intake(client)
    report = IntakeReport()
    path = sample or sample_path()
    with console.status(f"Reading {path.name} …"):
        mentions = list(intake.read_file(path, report))
        intake.submit(rebase(mentions, rt.clock()), report)
    with console.status(f"Triage and cards for {report.new} mentions …"):
        run_until_done(client)
    cards: list[tuple[str, str]] = []
    if standin:
        # messages are kept in the order posted; thread replies are the quiet activity log
        cards = [key for key, msg in standin.messages.items() if not msg.get("thread_ts")]
        for channel, ts in cards:
            message = standin.messages[(channel, ts)]
            console.print(f"[dim]{channel}[/dim]")
            console.print(terminal.draw(message["blocks"]))
    result = DemoResult(report, rt.store.stats(), cards)
    console.print(summary_table(result))
    for where, error in report.dead:
        console.print(f"[yellow]dead letter[/yellow] {escape(where)}: {escape(error)}")
    if use_slack:
        console.print(
            "The cards' buttons are answered by a `flare bot` on the demo's own Redis: keep the "
            "demo running with --follow and, in another terminal, run "
            f"`FLARE_REDIS_URL= FLARE_DATA_DIR={settings.data_dir} flare bot`.",
            markup=False,
            highlight=False,
        )
    if follow:
        _follow(settings, console, standin)
    return result


def summary_table(result: DemoResult) -> Table:
    stats = result.stats
    actions = Counter({k.split(":", 1)[1]: v for k, v in stats.items() if k.startswith("action:")})
    table = Table(title="Flare demo: summary", show_header=False)
    table.add_row("mentions read", str(result.report.read))
    table.add_row("triaged (new)", str(result.report.new))
    table.add_row("cards posted", str(stats.get("cards", 0)))
    table.add_row("ignored (ignore + drop)", str(actions["ignore"] + actions["drop"]))
    table.add_row("escalations (PR + incidents)", str(stats.get("escalations", 0)))
    table.add_row("incidents opened", str(stats.get("incidents", 0)))
    table.add_row("dead letters", str(len(result.report.dead)))
    table.add_row("by action", ", ".join(f"{k} {v}" for k, v in sorted(actions.items())))
    return table


def _follow(settings: Settings, console: Console, standin: SlackStandIn | None) -> None:
    if standin:

        def show(call: Call) -> None:
            if call.method == "chat.postMessage" and not call.args.get("thread_ts"):
                console.print(terminal.draw(call.args.get("blocks") or []))

        standin.on_call = show
    console.print(
        f"\nFollowing: feed more with `FLARE_DATA_DIR={settings.data_dir} flare replay FILE` "
        "in another terminal. Ctrl-C to stop."
    )
    try:
        run_workers(runtime.current().redis, burst=False, fork=False)
    except KeyboardInterrupt:
        console.print("stopped")
