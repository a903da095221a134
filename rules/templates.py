"""Reply templates from the playbook, filled in for one mention and its decision."""

from __future__ import annotations

from rules.decision import Decision
from rules.mention import Mention
from rules.playbook import Playbook
from rules.units import duration


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def render_template(
    playbook: Playbook, key: str, mention: Mention, decision: Decision, signature: str = ""
) -> str:
    """The template's text with {name} {handle} {signature} {topic} {delay} filled in.

    An unknown key raises KeyError naming it. Text stays a draft for a person to adapt.
    """
    try:
        text = playbook.templates[key]
    except KeyError:
        raise KeyError(f"no template {key!r} in the playbook") from None
    author = mention.author
    values = _Blank(
        name=((author.name or author.username).split() or ["there"])[0],
        handle=f"@{author.username}" if author.username else "",
        signature=f"^{signature}"
        if signature and not signature.startswith(("^", "-"))
        else signature,
        topic=(decision.topic or "our service").replace("_", " "),
        delay=duration(decision.age, words=True) if decision.age is not None else "a while",
    )
    return " ".join(text.format_map(values).split())


def render_statement(text: str, topic: str) -> str:
    """A crisis statement template filled in for everyone affected by `topic`: no one person's
    name, handle or signature (the brand speaks), the topic in words. Bracketed gaps such as
    "[time]" stay for PR to fill."""
    values = _Blank(topic=topic.replace("_", " "), delay="a while")
    return " ".join(text.format_map(values).split())
