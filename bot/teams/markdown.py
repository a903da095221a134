"""The markdown of Adaptive Card text: outside text escaped, Flare's words rendered with names."""

from __future__ import annotations

import re
from collections.abc import Callable

from flare.words import Outside, Person, Quote, Words

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
        else:
            out.append(part)
    return "".join(out)
