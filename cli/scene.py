"""What the demo's page shows one person, drawn from the stand-in Slack's own record: channels
with their threads, the DMs pages send them, their ephemeral notes and open modals. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CHANNEL_ORDER = ("#social-care", "#pr-escalations")
NOTES_KEPT = 12  # the newest ephemeral notes a person sees


def dm_channel(user: str) -> str:
    """The DM channel the stand-in opens for a user (conversations.open), as Slack names one."""
    return "D" + user.lstrip("UW")


def _message(ts: str, message: dict[str, Any]) -> dict[str, Any]:
    return {"ts": ts, "text": message.get("text", ""), "blocks": message.get("blocks") or []}


def conversations(messages: Iterable[tuple[tuple[str, str], dict[str, Any]]]) -> dict[str, list]:
    """Every conversation's top-level messages in the order posted, each with its thread."""
    by_channel: dict[str, list[dict[str, Any]]] = {}
    threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for (channel, ts), message in sorted(messages, key=lambda kv: float(kv[0][1])):
        parent = message.get("thread_ts")
        if parent:
            threads.setdefault((channel, str(parent)), []).append(_message(ts, message))
        else:
            by_channel.setdefault(channel, []).append(_message(ts, message))
    for channel, shown in by_channel.items():
        for message in shown:
            message["replies"] = threads.get((channel, message["ts"]), [])
    return by_channel


def notes_for(user: str, ephemeral: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ephemeral messages Flare showed this person (chat.postEphemeral), newest last."""
    mine = [
        {"channel": str(e.get("channel", "")), "text": str(e.get("text", "")), "at": e.get("at")}
        for e in ephemeral
        if str(e.get("user", "")) == user
    ]
    return mine[-NOTES_KEPT:]


def scene(
    user: str,
    messages: Iterable[tuple[tuple[str, str], dict[str, Any]]],
    ephemeral: Iterable[dict[str, Any]],
    modals: list[dict[str, Any]],
) -> dict[str, Any]:
    """The Slack side as `user` sees it: channels (#social-care and #pr-escalations first), the
    DMs to them, their notes and their open modals (the newest on top)."""
    by_channel = conversations(messages)
    names = [c for c in CHANNEL_ORDER if c in by_channel] + sorted(
        c for c in by_channel if c not in CHANNEL_ORDER and not c.startswith("D")
    )
    for wanted in CHANNEL_ORDER:
        if wanted not in names:
            names.insert(CHANNEL_ORDER.index(wanted), wanted)
    mine = dm_channel(user)
    return {
        "channels": [{"name": n, "messages": by_channel.get(n, [])} for n in names],
        "dm": {"name": mine, "messages": by_channel.get(mine, [])},
        "dms_waiting": {c: len(m) for c, m in by_channel.items() if c.startswith("D")},
        "notes": notes_for(user, ephemeral),
        "modals": modals,
    }
