"""What Flare decided for one mention, and why."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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
