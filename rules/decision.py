"""What Flare decided for one mention, and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Action(StrEnum):
    RESPOND = "respond"
    PRIORITY = "priority"
    ESCALATE_PR = "escalate_pr"
    CRISIS = "crisis"
    IGNORE = "ignore"
    HARASSMENT = "harassment"
    THANK = "thank"
    DROP = "drop"

    @property
    def needs_person(self) -> bool:
        """True when an agent (or PR) should see a card for it."""
        return self not in (Action.IGNORE, Action.DROP)


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def rank(self) -> int:
        return int(self.value[1])


class Decision(BaseModel):
    """The action and its reasons; typed fields for what other layers read, and `signals`, the
    free-form explanation shown to people (`flare rules explain`, `flare triage`)."""

    model_config = ConfigDict(frozen=True)

    mention_id: str
    action: Action
    priority: Priority | None = None
    topic: str | None = None
    late: bool = False
    due: datetime | None = None
    template: str | None = None
    reasons: tuple[str, ...] = ()
    signals: dict[str, Any] = Field(default_factory=dict)

    summoned: bool = True  # the post mentions or quotes the brand: X accepts a public reply
    risks: tuple[str, ...] = ()  # PR risks the post raises (legal, safety, ...), first one first
    vip: bool = False  # the author is on the playbook's VIP list
    influential: bool = False  # VIP, verified or a large audience, by the playbook's thresholds
    spreading: bool = False  # climbing fast for its age, or past the playbook's blast radius
    controversial: bool = False  # touches a topic that divides the audience (§3)
    spike_opened: bool = False  # this mention opened an incident for its topic
    review: bool = False  # a lead (or PR) approves the public reply first: rules.review
    age: timedelta | None = None  # how old the post was when decided
    resolved: bool = False  # a customer's follow-up says the issue is over (rules.conversation)
    sentiment: float = 0.0  # the post's tone, -1 (hostile) to 1 (glowing)
    complaint: bool = False  # the rules read it as a complaint: a problem of ours, in any tone

    @model_validator(mode="before")
    @classmethod
    def _stored_before_typed_fields(cls, data: Any) -> Any:
        """A decision stored before the typed fields carried them in `signals` only: read them
        from there, so an old case keeps its Reply button, its PR contacts and its approval."""
        if not isinstance(data, dict) or not data.get("signals"):
            return data
        s = data["signals"]
        if "complaint" not in data:  # typed since the incident card counts complaints
            data = {**data, "complaint": bool(s.get("complaint"))}
        if "review" in data:
            return data
        spike = s.get("spike")
        age = s.get("age_min")
        old = {
            "summoned": bool(s.get("summoned", True)),
            "risks": tuple(s.get("risks") or ()),
            "vip": bool(s.get("vip")),
            "influential": s.get("reach", "normal") != "normal" or bool(s.get("vip")),
            "spreading": bool(s.get("spreading")),
            "controversial": bool(s.get("controversial")),
            "spike_opened": bool(spike.get("opened")) if isinstance(spike, dict) else False,
            "review": bool(s.get("review")),
            "age": timedelta(minutes=age) if isinstance(age, int | float) else None,
            "sentiment": float(s.get("sentiment") or 0.0),
        }
        return {**old, **data}

    @classmethod
    def made(cls, **fields: Any) -> Decision:
        """A decision the engine built from values already of the right types, unchecked.

        What `model_construct` does for a model with no extras and no private attributes,
        at about half its cost (6 µs against 11, per decision); a test holds the two
        equal, so a pydantic upgrade that changes the model's insides is caught."""
        decision = cls.__new__(cls)
        values = dict(_TEMPLATE)  # every field, in order; a required one left out is an error
        values.update(fields)
        for name, factory in _FACTORIES:
            if name not in fields:
                values[name] = factory()  # a fresh one each time, as pydantic makes it
        if _REQUIRED - fields.keys():
            raise TypeError(f"Decision.made() needs {', '.join(sorted(_REQUIRED - fields.keys()))}")
        object.__setattr__(decision, "__dict__", values)
        object.__setattr__(decision, "__pydantic_fields_set__", set(fields))
        object.__setattr__(decision, "__pydantic_extra__", None)
        object.__setattr__(decision, "__pydantic_private__", None)
        return decision

    def as_line(self) -> dict[str, Any]:
        """The JSON shape that `flare triage` prints, one object per mention."""
        return {
            "id": self.mention_id,
            "action": self.action.value,
            "priority": self.priority.value if self.priority else None,
            "topic": self.topic,
            "late": self.late,
            "template": self.template,
            "reasons": list(self.reasons),
            "signals": self.signals,
        }


_TEMPLATE = {  # what `Decision.made` starts from: each field's default, in the model's order
    name: None if field.is_required() or field.default_factory else field.default
    for name, field in Decision.model_fields.items()
}
_FACTORIES: list[tuple[str, Callable[[], Any]]] = [
    (name, cast("Callable[[], Any]", field.default_factory))
    for name, field in Decision.model_fields.items()
    if field.default_factory is not None
]
_REQUIRED = frozenset(name for name, field in Decision.model_fields.items() if field.is_required())
