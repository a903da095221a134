"""What Flare says to people, as parts each chat surface renders in its own markup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Person:
    """Someone on the team, by their chat user id: a Slack mention, a Teams name."""

    id: str


@dataclass(frozen=True)
class Outside:
    """Text from the outside world (a post, X's error, a typed note): escaped wherever shown."""

    text: str


@dataclass(frozen=True)
class Quote:
    """Outside text shown as a quote on lines of its own, e.g. a reply draft."""

    text: str


@dataclass(frozen=True)
class Strong:
    """Flare's own words that must stand out (a state, "overdue"): bold wherever shown."""

    text: str


Part = str | Person | Outside | Quote | Strong
Words = tuple[Part, ...]


def words(*parts: Part) -> Words:
    return tuple(parts)


def plain(said: Words, person: str = "@{}") -> str:
    """The words as plain text (logs, the terminal, tests): people as `@id`."""
    out = []
    for part in said:
        if isinstance(part, Person):
            out.append(person.format(part.id))
        elif isinstance(part, Outside | Quote | Strong):
            out.append(part.text)
        else:
            out.append(part)
    return "".join(out)


_KINDS: dict[type, str] = {
    Person: "person",
    Outside: "outside",
    Quote: "quote",
    Strong: "strong",
}
_TYPES = {name: kind for kind, name in _KINDS.items()}


def to_json(said: Words) -> list[Any]:
    """The words as JSON for a job's arguments: plain strings, or [kind, text] pairs."""
    out: list[Any] = []
    for part in said:
        if isinstance(part, str):
            out.append(part)
        else:
            value = part.id if isinstance(part, Person) else part.text
            out.append([_KINDS[type(part)], value])
    return out


def from_json(raw: list[Any]) -> Words:
    """The words a job was given by `to_json`."""
    parts: list[Part] = []
    for item in raw:
        if isinstance(item, str):
            parts.append(item)
        else:
            kind, value = item
            parts.append(_TYPES[kind](value))
    return tuple(parts)
