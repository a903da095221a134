"""`flare demo` end to end, in this process: the bundled sample, the crisis it holds unfolding."""

from __future__ import annotations

import json
from pathlib import Path

from microsoft_teams.cards import AdaptiveCard
from rich.console import Console

from cli.demo import run_demo
from flare.settings import Settings


def test_the_demo_shows_the_flood_rolled_up_paged_and_acknowledged(tmp_path: Path) -> None:
    console = Console(record=True, width=100, force_terminal=False)

    result = run_demo(Settings(data_dir=tmp_path / "data", redis_url=""), console)

    shown = console.export_text()
    assert "Rolled up into the outage incident" in shown  # the earlier outage cards
    assert "Crisis · outage · 23 complaints" in shown  # every complaint, not those after it
    assert "Paging PR on call for the outage incident" in shown
    assert "Acknowledged by @U0DEMOPR" in shown
    assert result.stats["pages"] >= 1 and result.stats["incidents"] >= 1
    assert "`flare demo --web`" in shown  # where to work the cards by hand


def test_the_demo_writes_the_teams_cards_too_when_asked(tmp_path: Path) -> None:
    console = Console(record=True, width=100, force_terminal=False)
    folder = tmp_path / "teams"

    result = run_demo(
        Settings(data_dir=tmp_path / "data", redis_url=""), console, teams_cards=folder
    )

    cards = [json.loads(p.read_text()) for p in sorted(folder.glob("case-*.json"))]
    assert len(cards) == result.stats["cards"] > 0
    assert all(AdaptiveCard.model_validate(card).version == "1.5" for card in cards)
    said = " ".join(console.export_text().split())  # a long temp path wraps the line
    assert f"{len(cards)} Teams cards written to {folder}" in said
