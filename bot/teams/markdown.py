"""The markdown of Adaptive Card text: outside text escaped, Flare's words rendered with names."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from flare.words import Outside, Part, Person, Quote, Strong, Words

# CommonMark lets a backslash escape any ASCII punctuation; Teams renders emphasis, links, lists
# and headings from these. "{{" opens an Adaptive Card DATE()/TIME() function: a zero-width
# space keeps a post from being read as one.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
_FUNCTION = "{\u200b{"

Names = Callable[[str], str]


def escape(text: str) -> str:
    """Outside text as Adaptive Card markdown shows it verbatim: no emphasis, link or list."""
    return _SPECIAL.sub(r"\\\1", text.replace("{{", _FUNCTION))


def plain(text: str) -> str:
    """Outside text for a property Teams never reads as markdown (an input's value, a title),
    where only the date functions need breaking."""
    return text.replace("{{", _FUNCTION)


def clip(text: str, limit: int) -> str:
    """Text cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit(raw: str, limit: int) -> str:
    """Outside text cut to `limit` characters, then escaped (an escape is never cut in two)."""
    return escape(clip(raw, limit))


def mentioning(
    said: Words, name: Names, teams_id: Callable[[str], str | None]
) -> tuple[str, list[dict[str, Any]]]:
    """Words as a message's markdown and its mention entities: each person Teams knows is
    @mentioned (and notified), as Slack's `<@U…>` does; anyone else is named in bold."""
    entities: list[dict[str, Any]] = []
    out = []
    for part in said:
        known = teams_id(part.id) if isinstance(part, Person) else None
        if isinstance(part, Person) and known:
            shown = f"<at>{name(part.id).replace('<', '').replace('>', '')}</at>"
            entities.append(
                {
                    "type": "mention",
                    "text": shown,
                    "mentioned": {"id": known, "name": name(part.id)},
                }
            )
            out.append(shown)
        else:
            out.append(say((part,), name))
    return "".join(out), entities


_SLACK_MENTION = re.compile(r"<@([A-Z0-9]+)>")


def from_mrkdwn(line: str) -> Words:
    """A line Slack's renderers wrote (`bot.nudges`) as words: its mentions as people, the rest
    as outside text, Slack's escapes undone, so Teams shows the same line its own way."""
    parts: list[Part] = []
    for n, piece in enumerate(_SLACK_MENTION.split(line)):
        if n % 2:
            parts.append(Person(piece))
        elif piece:
            parts.append(Outside(html.unescape(piece)))
    return tuple(parts)


def say(said: Words, name: Names) -> str:
    """Flare's words as Adaptive Card markdown: people by name in bold, outside text escaped,
    quotes on lines of their own."""
    out = []
    for part in said:
        if isinstance(part, Person):
            out.append(f"**{escape(name(part.id))}**")
        elif isinstance(part, Outside):
            out.append(escape(part.text))
        elif isinstance(part, Quote):
            out.append("\n\n" + escape(part.text) + "\n\n")
        elif isinstance(part, Strong):
            out.append(f"**{escape(part.text)}**")
        else:
            out.append(part)
    return "".join(out)
