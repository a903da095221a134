"""The crisis plan: who is paged for a topic, in which order, how long each has to answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from rules.duration import Duration

MIN_STEP = timedelta(seconds=5)
"""The shortest time a contact may be given to acknowledge: short enough for a drill."""

MAX_REPEAT = 9


def _at_least_a_step(value: timedelta) -> timedelta:
    if value < MIN_STEP:
        raise ValueError(
            f"must be at least {MIN_STEP.seconds}s: nobody can acknowledge a page faster"
        )
    return value


StepDuration = Annotated[Duration, AfterValidator(_at_least_a_step)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Frozen):
    """One person in a crisis chain, reached in the order the chain lists them."""

    name: str = Field(min_length=1)
    slack: str = Field(default="", pattern=r"^([UW][A-Z0-9]{2,})?$")
    phone: str = ""
    email: str = Field(default="", pattern=r"^([^@\s]+@[^@\s]+)?$")
    ack_within: StepDuration | None = None
    """How long this person has to acknowledge; None: the plan's `ack_within`."""

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not (self.slack or self.phone or self.email):
            raise ValueError("a contact needs a Slack id, a phone or an email to be reached")
        return self

    def mention(self) -> str:
        """How chat names them: a Slack mention when the id is known, else the name."""
        return f"<@{self.slack}>" if self.slack else self.name


class Step(_Frozen):
    """One page of a chain: who is reached, and how long they have before the next is."""

    contact: Contact
    ack_within: timedelta


class Chain(_Frozen):
    """The chain as copied onto an incident when it opens: later playbook edits don't move it."""

    topic: str
    steps: tuple[Step, ...] = ()
    repeat: int = Field(default=1, ge=1, le=MAX_REPEAT)

    @property
    def pages(self) -> int:
        """How many pages the chain sends before it gives up: every step, `repeat` times."""
        return len(self.steps) * self.repeat

    def step(self, n: int) -> Step | None:
        """The n-th page, counted from 0 across repeats; None once the chain has run out."""
        if n < 0 or n >= self.pages:
            return None
        return self.steps[n % len(self.steps)]


class Crisis(_Frozen):
    """The crisis plan (PLAYBOOK.md §5): who to reach per topic, and how long each has to answer."""

    ack_within: StepDuration = timedelta(minutes=10)
    repeat: int = Field(default=2, ge=1, le=MAX_REPEAT)
    contacts: dict[str, list[Contact]] = Field(default_factory=dict)
    statements: dict[str, str] = Field(default_factory=dict)
    """First public statement per topic or risk; others use the `crisis_statement` template."""

    def contacts_for(self, topic: str) -> list[Contact]:
        """The chain for a topic (or risk), else the plan's `default` chain, else nobody."""
        return list(self.contacts.get(topic) or self.contacts.get("default") or ())

    def chain_for(self, topic: str) -> Chain:
        """The chain to copy onto an incident about `topic`, each step with its own time."""
        steps = tuple(
            Step(contact=c, ack_within=c.ack_within or self.ack_within)
            for c in self.contacts_for(topic)
        )
        return Chain(topic=topic, steps=steps, repeat=self.repeat)
