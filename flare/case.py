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
    reply_id: str | None = None  # the brand's public reply on X
    replied_by: str | None = None
    dm_by: str | None = None  # who sent the customer a direct message
    escalated_to: str | None = None  # the incident topic PR was asked to handle
    closed_by: str | None = None
    close_reason: str | None = None
    awaiting_approval: str | None = None  # a reply draft waiting for a lead
    approval_ts: str | None = None  # the thread message showing that draft with its buttons
    closed_at: datetime | None = None
    answered_at: datetime | None = None  # the brand's latest reply or DM to the customer
    linked_to: str | None = None  # an earlier case of this conversation, closed long before
    rolled_into: str | None = None  # the topic of the incident this case was folded into
    remind_at: datetime | None = None  # when the reminder falls, while one waits (flare.timers)
    breached_at: datetime | None = None  # when it passed its target unanswered
    lapsed_by: str | None = None  # whose claim ran out, while nobody has claimed it since
    snoozed_by: str | None = None  # who put the reminder off
    on_it_by: str | None = None  # who said they are on it once it was overdue (the chain stops)
    follow_ups: tuple[Mention, ...] = ()  # the customer's later posts, oldest first

    @property
    def closed(self) -> bool:
        return self.state in (CaseState.RESOLVED, CaseState.IGNORED)

    @property
    def awaiting_answer(self) -> bool:
        """No reply or DM has gone out since the customer's latest post."""
        latest = self.follow_ups[-1].created_at if self.follow_ups else None
        if self.answered_at is None:
            return not (self.reply_id or self.dm_by)  # answered before answers were timed
        return latest is not None and latest > self.answered_at

    @property
    def posts(self) -> tuple[Mention, ...]:
        """The customer's posts in this case, oldest first: the mention, then the follow-ups."""
        return (self.mention, *self.follow_ups)

    @property
    def late(self) -> bool:
        """Found past its target, or it passed its target unanswered: the answer owns the delay."""
        return self.decision.late or self.breached_at is not None

    @property
    def reply_url(self) -> str | None:
        return f"https://x.com/i/status/{self.reply_id}" if self.reply_id else None

    @property
    def id(self) -> str:
        return self.mention.id
