"""What a click on a card does: change the case in the store, then redraw its card."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot import card
from bot.slack_client import SlackClient
from flare.store import ClaimResult, Store

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Casework:
    store: Store
    slack: SlackClient
    allowed: frozenset[str] = frozenset()  # empty: anyone in the channel may act
    clock: Clock = utcnow

    def may_act(self, user: str) -> bool:
        return not self.allowed or user in self.allowed

    def refuse(self, case_id: str, user: str, channel: str, what: str) -> None:
        self.store.audit(case_id, user, "refused", attempted=what)
        self.slack.post_ephemeral(
            channel, user, "You are not on the list of agents who may act on Flare cards."
        )

    def redraw(self, case_id: str) -> None:
        case = self.store.get(case_id)
        where = self.store.card(case_id)
        if case and where:
            blocks, text = card.render(case, self.clock())
            self.slack.update_card(where[0], where[1], blocks, text)

    def _answer(self, result: ClaimResult, case_id: str, user: str, channel: str, did: str) -> None:
        if result.ok:
            self.redraw(case_id)
            where = self.store.card(case_id)
            if where:
                self.slack.post_in_thread(where[0], where[1], f"<@{user}> {did} this case.")
            return
        self.slack.post_ephemeral(channel, user, explain(result, user))

    def claim(self, case_id: str, user: str, channel: str) -> None:
        result = self.store.claim(case_id, user)
        self._answer(result, case_id, user, channel, "claimed")

    def release(self, case_id: str, user: str, channel: str) -> None:
        self._answer(self.store.release(case_id, user), case_id, user, channel, "released")

    def resolve(self, case_id: str, user: str, channel: str) -> None:
        self._answer(self.store.resolve(case_id, user), case_id, user, channel, "resolved")

    def reopen(self, case_id: str, user: str, channel: str) -> None:
        self._answer(self.store.reopen(case_id, user), case_id, user, channel, "reopened")


def explain(result: ClaimResult, user: str) -> str:
    """The ephemeral line a person reads when their click did not take."""
    if result.reason == "held":
        if result.holder == user:
            return "You already hold this case."
        return f"This case is already claimed by <@{result.holder}>."
    if result.reason == "closed":
        state = result.holder or "closed"
        return f"This case is {state}: reopen it first."
    if result.reason == "missing":
        return "This case is no longer in Flare (it may have expired)."
    return "That did not work; please try again."
