"""A case: one mention, what Flare decided, and where people have taken it since."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from rules.decision import Decision
from rules.mention import Mention


class CaseState(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    IGNORED = "ignored"


class Case(BaseModel):
    """What a card is rendered from: read again from Redis whenever a click arrives."""

    model_config = ConfigDict(frozen=True)

    mention: Mention
    decision: Decision
    state: CaseState = CaseState.OPEN
    claimed_by: str | None = None
    claim_until: datetime | None = None
    stored_at: datetime

    @property
    def id(self) -> str:
        return self.mention.id
