"""The Teams app manifest template: the bot Flare runs, in the scopes it posts to, with icons."""

from __future__ import annotations

import json
import struct
from pathlib import Path

TEAMS = Path(__file__).resolve().parents[3] / "deploy" / "teams"


def test_the_manifest_names_the_bot_by_the_app_id_flare_checks_tokens_for() -> None:
    manifest = json.loads((TEAMS / "manifest.json").read_text())

    [bot] = manifest["bots"]
    assert bot["botId"] == manifest["id"] == "${{FLARE_TEAMS__APP_ID}}"
    # cards go to a team's channel; pages to a person's chat with Flare
    assert set(bot["scopes"]) == {"team", "personal"}
    assert manifest["manifestVersion"] in manifest["$schema"]


def test_the_icons_are_the_sizes_teams_asks_for() -> None:
    manifest = json.loads((TEAMS / "manifest.json").read_text())
    sizes = {}
    for kind, name in manifest["icons"].items():
        header = (TEAMS / name).read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        sizes[kind] = struct.unpack(">II", header[16:24])
    assert sizes == {"color": (192, 192), "outline": (32, 32)}
