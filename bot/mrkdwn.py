"""Slack's mrkdwn: outside text escaped, links made safe, Flare's words rendered."""

from __future__ import annotations

from flare.words import Outside, Person, Quote, Strong, Words


def escape(text: str) -> str:
    """Neutralise Slack's control sequences (<!channel>, <@U…>, <url|label>) in outside text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Slack's mrkdwn has no escape for its formatting marks: outside text shown inside mrkdwn gets
# look-alikes that Slack does not read as marks, so "*bold*" from a post stays as written.
_MARKS = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})


def verbatim(text: str) -> str:
    """Outside text for a mrkdwn field, shown as written: escaped, and no formatting taken
    from it (`*`, `_`, `~` and the backquote become look-alikes)."""
    return escape(text).translate(_MARKS)


def link(url: str, label: str) -> str:
    """A mrkdwn link to an outside URL: a "|" or ">" in it can't end the URL and hide a label."""
    target = escape(url).replace("|", "%7C").replace(" ", "%20")
    return f"<{target}|{label}>"


def clip(text: str, limit: int) -> str:
    """Plain text cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit(raw: str, limit: int) -> str:
    """Outside text escaped for mrkdwn and cut to `limit` characters once escaped, never in the
    middle of an escape (`&amp;`); an ellipsis marks the cut."""
    escaped = escape(raw)
    if len(escaped) <= limit:
        return escaped
    kept: list[str] = []
    used = 0
    for ch in raw:
        piece = escape(ch)
        if used + len(piece) > limit - 1:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept) + "…"


def say(said: Words) -> str:
    """Flare's words as mrkdwn: people mentioned, outside text escaped, quotes set apart."""
    out = []
    for part in said:
        if isinstance(part, Person):
            out.append(f"<@{part.id}>")
        elif isinstance(part, Outside):
            out.append(escape(part.text))
        elif isinstance(part, Quote):
            out.append("\n>" + escape(part.text).replace("\n", "\n>"))
        elif isinstance(part, Strong):
            out.append(f"*{escape(part.text)}*")
        else:
            out.append(part)
    return "".join(out)
