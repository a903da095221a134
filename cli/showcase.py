"""`flare demo --web`: the demo worked by hand in a browser, against the real Bolt app and workers.

It puts together the stand-in Slack and X, Flare's own Bolt app over HTTP (signature checked),
the page (`cli/site.py`), the story (`cli/story.py`) and one worker lane serving every queue in
this process, then serves until Ctrl-C.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from bot.app import build_app, slack_routes
from cli import cast, wiring
from cli.demo import demo_settings, rebase, sample_path
from cli.site import Site
from cli.standin import SlackStandIn
from cli.story import Story, acts
from cli.x_standin import XStandIn
from flare.connection import connect
from flare.defaults import MAX_SLACK_BYTES
from flare.http import Server, router
from flare.queues import WORK_ORDER
from flare.settings import Settings
from rules.mention import Mention
from rules.playbook import default_playbook_path
from rules.screen import Screen
from workers import runtime
from workers.intake import Intake, IntakeReport

ACK_WITHIN = "30s"  # each person in the demo's paging chain has this long (the playbook: 10m)


@dataclass
class Showcase:
    """Everything `flare demo --web` runs, started; `stop()` ends it."""

    site: Site
    standin: SlackStandIn
    x: XStandIn
    bot: Server
    story: Story
    settings: Settings

    def stop(self) -> None:
        self.story.stop()
        self.site.stop()
        self.bot.stop_taking(2.0)
        self.x.stop()
        self.standin.stop()


def demo_playbook(folder: Path, source: Path | None) -> Path:
    """The playbook with the demo's paging chain (`cli.cast.paged_chain`), written to `folder`."""
    raw: dict[str, Any] = yaml.safe_load((source or default_playbook_path()).read_text()) or {}
    raw["crisis"] = cast.paged_chain(raw.get("crisis") or {}, ACK_WITHIN)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "playbook.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
    return path


def web_settings(settings: Settings, standin: SlackStandIn, x: XStandIn) -> Settings:
    """The demo's settings (its own Redis, the stand-in Slack) with the cast named as agents,
    leads and PR, X pointed at the stand-in X, and the demo's paging chain."""
    demo = demo_settings(settings, standin)
    slack = demo.slack.model_copy(
        update={
            "agents": (cast.AGENT.id,),
            "leads": (cast.LEAD.id,),
            "pr_team": (cast.PR.id,),
        }
    )
    playbook = demo_playbook(demo.data_dir, settings.playbook)
    return demo.model_copy(update={"slack": slack, "x": x.settings(), "playbook": playbook})


def start_showcase(
    settings: Settings, port: int = 0, pause: float = 8.0, speed: float = 1.0
) -> Showcase:
    """Start the stand-ins, the Bolt app, the page and the story; the caller runs the workers."""
    standin, x = SlackStandIn().start(), XStandIn().start()
    standin.names.update({p.id: p.name for p in cast.CAST})
    settings = web_settings(settings, standin, x)
    client = connect(settings)
    client.flushdb()  # the demo's own database under <data dir>/demo: start from nothing
    rt = runtime.install(wiring.build_runtime(settings, client))
    assert settings.slack.signing_secret is not None
    secret = settings.slack.signing_secret.get_secret_value()
    assert rt.slack is not None and settings.slack.bot_token is not None
    token = settings.slack.bot_token.get_secret_value()
    app = build_app(rt.casework, rt.slack, secret, token, wiring.listener_pool(settings))
    bot = Server(router(client, slack_routes(app, secret)), "127.0.0.1", 0, MAX_SLACK_BYTES).start()
    intake = Intake(client, screen=Screen(rt.playbook))
    report = IntakeReport()
    mentions = list(intake.read_file(sample_path(), report))

    def tell(mention: Mention) -> None:
        x.publish(mention)
        intake.submit([mention], report)

    told = acts(rebase(mentions, rt.clock()), rt.playbook)
    story = Story(told, tell, pause=pause, speed=speed)
    site = Site(
        standin,
        x,
        f"http://127.0.0.1:{bot.port}/slack/events",
        secret,
        story=story,
        port=port,
    ).start()
    story.start()
    return Showcase(site, standin, x, bot, story, settings)


def run_showcase(
    settings: Settings, console: Console, port: int, pause: float = 8.0, speed: float = 1.0
) -> None:
    """`flare demo --web`: serve the page and work the queues here until Ctrl-C or SIGTERM."""
    from cli.worker import run_lane

    try:
        show = start_showcase(settings, port, pause, speed)
    except OSError as exc:
        console.print(
            f"Cannot serve the page on port {port}: {exc.strerror or exc}. "
            "Pick another with --port N (0: any free one).",
            markup=False,
            highlight=False,
        )
        raise SystemExit(2) from exc
    console.print(
        f"Flare demo in your browser: {show.site.url}  (the X side: {show.site.url}/x)\n"
        "Act as the agent, the lead or PR from the menu; every button goes to Flare's own Slack "
        "app, signed as Slack signs it. Ctrl-C to stop.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        run_lane(show.settings, WORK_ORDER, built=runtime.current())
    except KeyboardInterrupt:
        pass
    finally:
        show.stop()
        console.print("stopped")
