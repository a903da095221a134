"""What an action on a case or an incident comes to, for any surface: done, refused, gone or
invalid, with the words to show and the form to open."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from flare.case import Case
from flare.words import Words


class Kind(StrEnum):
    DONE = "done"
    REFUSED = "refused"  # not allowed, or not now: `says` tells the person why
    GONE = "gone"  # the case is no longer in Flare: the surface retires the card too
    INVALID = "invalid"  # an input is wrong: `errors` says which and why


class Field(StrEnum):
    """The inputs an action takes; a surface maps them to its own form fields."""

    DRAFT = "draft"
    CONFIRM = "confirm"
    TOPIC = "topic"
    SEVERITY = "severity"
    NOTE = "note"
    REASON = "reason"


@dataclass(frozen=True)
class Actor:
    """The person acting: their chat user id, and their name where the surface knows it."""

    id: str
    name: str = ""


@dataclass(frozen=True)
class Form:
    """What a surface shows in the form an action opens: the case, a draft, the choices."""

    case: Case
    draft: str = ""
    check: str = ""
    topics: tuple[str, ...] = ()
    topic: str | None = None
    notice: Words = ()  # what they must know before sending: the form asks for a tick
    warning: Words = ()  # what they must know, with no tick to give (e.g. nobody may approve)


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    says: Words = ()
    errors: Mapping[Field, Words] = field(default_factory=dict)
    form: Form | None = None

    @property
    def ok(self) -> bool:
        return self.kind is Kind.DONE


DONE = Outcome(Kind.DONE)


def refused(*said: Words) -> Outcome:
    return Outcome(Kind.REFUSED, said[0] if said else ())


def invalid(at: Field, said: Words) -> Outcome:
    return Outcome(Kind.INVALID, said, {at: said})
