"""`flare demo`: the whole pipeline on embedded defaults, a stand-in Slack drawn in the terminal."""

from __future__ import annotations

import json
import re
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

from bot.teams import adaptive
from cli import terminal, wiring
from cli.standin import Call, SlackStandIn
from cli.worker import run_until_done, run_workers
from flare import keys as flare_keys
from flare.connection import connect
from flare.outcome import Actor
from flare.paging import Paging
from flare.queries import Queries
from flare.settings import Settings
from flare.words import plain
from rules.mention import Mention
from rules.screen import Screen
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

    FLARE_REDIS_URL and FLARE_REDIS_SENTINELS are ignored on purpose: the demo must never empty
    a Redis that holds a team's real queue. With the bundled sample the brand is @acme and
    @acmehelp, as the sample has it.
    """
    update: dict[str, Any] = {
        "data_dir": settings.data_dir / "demo",
        "redis_url": "",
        "redis_sentinels": (),
    }
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
    teams_cards: Path | None = None,
) -> DemoResult:
    standin = None if use_slack else SlackStandIn().start()
    settings = demo_settings(settings, standin, bundled=sample is None)
    client = connect(settings)
    client.flushdb()  # the demo's own database under <data dir>/demo: start from nothing
    rt = runtime.install(wiring.build_runtime(settings, client))
    intake = Intake(client, screen=Screen(rt.playbook))
    report = IntakeReport()
    path = sample or sample_path()
    with console.status(f"Reading {path.name} …"):
        mentions = list(intake.read_file(path, report))
        intake.submit(rebase(mentions, rt.clock()), report)
    with console.status(f"Triage and cards for {report.new} mentions …"):
        run_until_done(client)
    if teams_cards is not None:
        written = write_teams_cards(rt, [m.id for m in mentions], teams_cards)
        console.print(
            f"{written} Teams cards written to {teams_cards} (Adaptive Card JSON: paste one into "
            "the Adaptive Cards Designer, host app Microsoft Teams, to see it as Teams shows it).",
            markup=False,
            highlight=False,
        )
    cards: list[tuple[str, str]] = []
    if standin:
        # messages are kept in the order posted; thread replies are the quiet activity log
        cards = [key for key, msg in standin.messages.items() if not msg.get("thread_ts")]
        _draw(console, standin, cards)
        _acknowledge_the_flood(console, standin, rt.paging)
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
    if standin and not follow:
        console.print(
            "Work these cards yourself: `flare demo --web` (or `make demo-web`) serves them as a "
            "page at http://127.0.0.1:8750, every button answered by Flare (docs/demo.md).",
            markup=False,
            highlight=False,
        )
    if follow:
        _follow(settings, console, standin)
    return result


def write_teams_cards(rt: runtime.Runtime, case_ids: list[str], folder: Path) -> int:
    """Each carded case's card as Teams would show it, one Adaptive Card JSON file per case."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for case in rt.store.get_many(case_ids):
        if rt.store.card(case.id) is None:
            continue
        viewer = adaptive.Viewer(topics=rt.casework.topics_for(case)[0])
        card = adaptive.render(case, rt.clock(), viewer)
        name = re.sub(r"[^A-Za-z0-9_-]", "_", case.id)
        (folder / f"case-{name}.json").write_text(json.dumps(card, indent=2, ensure_ascii=False))
        written += 1
    return written


def _draw(console: Console, standin: SlackStandIn, keys: list[tuple[str, str]]) -> None:
    """Each message as Slack would show it now: cards as boxes, plain lines as text."""
    for channel, ts in keys:
        message = standin.messages[(channel, ts)]
        console.print(f"[dim]{channel}[/dim]")
        if message.get("blocks"):
            console.print(terminal.draw(message["blocks"]))
        else:
            line = terminal.mrkdwn(str(message.get("text", "")))
            console.print(f"  {line}", markup=False, highlight=False)


DEMO_PR = "U0DEMOPR"  # the PR lead who answers the demo's page


def _acknowledge_the_flood(console: Console, standin: SlackStandIn, paging: Paging) -> None:
    """The PR lead acknowledges the biggest incident, as they would from the page: the chain
    stops, and the incident card and PR's channel say so."""
    incidents = Queries(paging.store.redis).incidents()
    if not incidents:
        return
    topic = incidents[0].topic
    console.print(
        f"\n[bold]The PR lead acknowledges the {escape(topic)} page[/bold] "
        "(in Slack: Acknowledge on the page, or /flare ack):"
    )
    before = set(standin.messages)
    outcome = paging.acknowledge(topic, Actor(DEMO_PR))
    console.print(f"  {plain(outcome.says)}", markup=False, highlight=False)
    run_until_done(paging.store.redis)
    where = paging.store.redis.hgetall(flare_keys.incident_card(topic))
    shown = [
        k for k in standin.messages if k not in before and not standin.messages[k].get("thread_ts")
    ]
    if where:
        shown.insert(0, (where[b"channel"].decode(), where[b"ts"].decode()))
    _draw(console, standin, shown)


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
    table.add_row("pages sent", str(stats.get("pages", 0)))
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
