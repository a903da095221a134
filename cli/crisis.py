"""`flare crisis drill | oncall` (registered by cli.main): the crisis plan, tried and read."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.console import err, settings_or_exit
from flare.connection import connect
from flare.outcome import Actor
from flare.words import plain
from rules.playbook import load_playbook
from rules.units import duration

console = Console()
crisis_app = typer.Typer(
    help=(
        "The crisis plan: who is paged for a topic, and a drill that pages them for real.\n\n"
        "The plan is the playbook's `crisis` section; `flare rules check` validates it. In Slack, "
        "`/flare crisis open | close | ack` run a real incident."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@crisis_app.command("oncall")
def oncall_command(
    topic: Annotated[
        str | None, typer.Argument(help="A topic or risk; empty: every chain the plan has.")
    ] = None,
) -> None:
    """Show who is paged for a topic, in order, and how long each has to acknowledge.

    Reads the playbook in FLARE_PLAYBOOK (or the shipped one); needs no Redis.

    **Examples**: `flare crisis oncall`; `flare crisis oncall legal`.
    """
    playbook = load_playbook(settings_or_exit().playbook)
    topics = [topic] if topic else sorted(playbook.crisis.contacts)
    if not topics:
        err.print("The playbook's crisis plan names nobody: add `crisis.contacts` to it.")
        raise typer.Exit(1)
    for name in topics:
        chain = playbook.chain_for(name)
        own = name in playbook.crisis.contacts
        title = escape(name) if own else f"{escape(name)}: no chain of its own, the default's"
        if not chain.steps:
            err.print(f"Nobody is paged for {escape(name)}: the plan has no chain for it.")
            raise typer.Exit(1)
        table = Table("step", "who", "reached by", "acknowledge within", title=title)
        for n, step in enumerate(chain.steps, 1):
            c = step.contact
            reach = ", ".join(
                f"{kind} {value}"
                for kind, value in (("Slack", c.slack), ("phone", c.phone), ("email", c.email))
                if value
            )
            table.add_row(
                str(n), escape(c.name), escape(reach), duration(step.ack_within, seconds=True)
            )
        console.print(table)
        console.print(f"The chain runs {chain.repeat} time(s); {chain.pages} page(s) at most.\n")


@crisis_app.command("drill")
def drill_command(
    topic: Annotated[str, typer.Argument(help="The topic or risk whose chain to page.")],
) -> None:
    """Page a topic's real chain as a drill: everything a crisis does, marked DRILL.

    The drill opens an incident named `TOPIC-drill`: each contact gets a real page, in turn,
    until someone acknowledges it (`/flare ack TOPIC-drill` or the page's button). Nothing is
    posted on X. A running `flare worker` sends the pages.

    **Example**: `flare crisis drill outage`, then close it with
    `/flare crisis close outage-drill drill over`.
    """
    from cli.wiring import build_casework  # the whole bot: loaded only for a drill

    settings = settings_or_exit()
    playbook = load_playbook(settings.playbook)
    client = connect(settings)
    paging = build_casework(settings, client, playbook).paging
    outcome = paging.drill(topic, Actor("flare-cli"))
    if not outcome.ok:
        err.print(plain(outcome.says))
        raise typer.Exit(1)
    console.print(plain(outcome.says), markup=False, highlight=False)
