"""Block Kit cards drawn in a terminal, for `flare demo`: what an agent would see in Slack."""

from __future__ import annotations

import html
import re
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
_USER = re.compile(r"<@([A-Z0-9]+)>")
_STYLE = {"P1": "red", "P2": "dark_orange", "P3": "yellow", "P4": "green"}


def mrkdwn(text: str) -> str:
    """Slack mrkdwn as a terminal shows it: links as their label, mentions as @id, no stars."""
    text = _LINK.sub(r"\2", text)
    text = _USER.sub(r"@\1", text)
    return html.unescape(text.replace("*", ""))


def _text(obj: dict[str, Any]) -> str:
    raw = str(obj.get("text", ""))
    return raw if obj.get("type") == "plain_text" else mrkdwn(raw)


def draw(blocks: list[dict[str, Any]]) -> RenderableType:
    title = ""
    rows: list[RenderableType] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = _text(block["text"])
        elif kind == "section":
            rows.append(Text(_text(block["text"])))
        elif kind == "context":
            line = "  ".join(_text(e) for e in block.get("elements", []))
            rows.append(Text(line, style="dim"))
        elif kind == "actions":
            labels = [f"[ {e['text']['text']} ]" for e in block.get("elements", [])]
            rows.append(Text("  ".join(labels), style="bold cyan"))
    style = next((s for p, s in _STYLE.items() if p in title), "magenta")
    if "Crisis" in title:
        style = "bold red"
    return Panel(
        Group(*rows),
        title=Text(title, style=f"bold {style}"),
        title_align="left",
        border_style=style,
        width=100,
    )
