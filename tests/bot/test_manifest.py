"""The Slack app manifest asks for exactly what Flare uses: scopes, the slash command, the
events it listens to, interactivity and Socket Mode."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot import slash

ROOT = Path(__file__).resolve().parents[2]

# Every Web API method Flare calls, and the bot scope it needs (None: no scope needed).
METHOD_SCOPES: dict[str, str | None] = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "views.open": None,
    "views.update": None,
    "views.publish": None,
    "users.info": "users:read",
    "conversations.open": "im:write",
    "conversations.history": "channels:history",
    "conversations.replies": "channels:history",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "conversations.info": "channels:read",  # `flare doctor`
    "conversations.list": "channels:read",
    "auth.test": None,
    "apps.connections.open": None,  # the app-level token's connections:write, no bot scope
}
# Scopes that come from features rather than methods.
FEATURE_SCOPES = {
    "commands",  # the /flare slash command
    "chat:write.public",  # cards go to the configured channels without inviting the bot first
    "groups:history",  # conversations.history in a private channel
    "groups:read",  # conversations.info and .list of a private channel
}


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "slack-app-manifest.yml").read_text())
    return loaded


def methods_flare_calls() -> set[str]:
    source = "\n".join(p.read_text() for p in sorted((ROOT / "bot").glob("*.py")))
    called = set(re.findall(r'_call\(\s*"([a-z]+\.[A-Za-z]+)"', source))
    called |= {m.replace("_", ".", 1) for m in re.findall(r"client\.(views_[a-z]+)\(", source)}
    if ".files_upload_v2(" in source:  # slack_sdk's external upload: two methods, one scope
        called |= {"files.getUploadURLExternal", "files.completeUploadExternal"}
    return called


def test_every_method_flare_calls_has_a_known_scope() -> None:
    called = methods_flare_calls()
    assert called, "found no Slack calls: the pattern above needs updating"
    assert called <= set(METHOD_SCOPES), called - set(METHOD_SCOPES)


def test_the_manifest_asks_for_exactly_the_scopes_flare_needs() -> None:
    needed = {METHOD_SCOPES[m] for m in methods_flare_calls()} - {None} | FEATURE_SCOPES
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_the_manifest_declares_the_slash_command_flare_registers() -> None:
    commands = [c["command"] for c in manifest()["features"]["slash_commands"]]
    assert commands == [slash.COMMAND]


def test_the_manifest_subscribes_to_the_events_flare_listens_to() -> None:
    source = "\n".join(p.read_text() for p in sorted((ROOT / "bot").glob("*.py")))
    listened = set(re.findall(r'\.event\("([a-z_]+)"\)', source))
    assert set(manifest()["settings"]["event_subscriptions"]["bot_events"]) == listened
    assert manifest()["features"]["app_home"]["home_tab_enabled"] is True


def test_the_manifest_turns_on_interactivity_over_socket_mode() -> None:
    settings = manifest()["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    # With Socket Mode, Slack wants no request URLs: everything comes over the socket.
    assert "request_url" not in settings["interactivity"]
    assert "request_url" not in settings["event_subscriptions"]
    assert all("url" not in c for c in manifest()["features"]["slash_commands"])
