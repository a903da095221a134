"""A channel's backlog of cards waiting for its send budget: which go out, and which fold.

Slack takes about one post a second in a channel, so a channel with N cards waiting posts the
last of them N slots from now. When that is later than the least urgent card's response target,
the least urgent cards fold into one "N more waiting" card that agents pull from instead. The
decision is pure: the jobs read the backlog, ask `fold`, and move the cards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from rules.decision import Priority

NO_RANK = 99  # a card with no priority goes after the P4s
NO_DUE = 9e10  # a card with no response target, as the urgency score writes it
_BY_RANK = {p.rank: p for p in Priority}
PULLED = 0.0  # a card someone claimed before it was posted: they wait for it, so it goes first


@dataclass(frozen=True)
class Waiting:
    """A card waiting for its channel's slot: its case, priority and response target."""

    case_id: str
    priority: Priority | None
    due: datetime | None
    pulled: bool = False  # claimed before it had a card: first in line (`PULLED`)

    @property
    def score(self) -> float:
        """Its place in the line, lowest first (`urgency`)."""
        return PULLED if self.pulled else urgency(self.priority, self.due)

    @classmethod
    def of_score(cls, case_id: str, score: float) -> Waiting:
        """The card as the backlog's sorted set holds it: the score is its urgency."""
        if score < 1e11:
            return cls(case_id, None, None, pulled=True)
        rank, at = divmod(score, 1e11)
        priority = _BY_RANK.get(int(rank))
        due = None if at >= NO_DUE else datetime.fromtimestamp(at, UTC)
        return cls(case_id, priority, due)


def urgency(priority: Priority | None, due: datetime | None) -> float:
    """A sort score, lowest first: P1 before P4, then the soonest response target; no priority
    or no target goes last. One number, so Redis keeps the backlog in this order."""
    rank = priority.rank if priority else NO_RANK
    return rank * 1e11 + (due.timestamp() if due else NO_DUE)


@dataclass(frozen=True)
class Plan:
    """The backlog split: `posted` waits for slots, most urgent first; `folded` is listed on
    the channel's "N more waiting" card, most urgent first (the next one pulled)."""

    posted: tuple[Waiting, ...]
    folded: tuple[Waiting, ...]


def fold(cards: Iterable[Waiting], pace: float, now: datetime) -> Plan:
    """Which cards keep their place in the channel's line and which fold, given `pace`, the
    seconds between two posts in the channel.

    The line is too long while a card in it with a target would be posted after that target
    (its place in the line times the pace is more than the time it has left; a card with no
    target cannot miss one). Then the least urgent card folds, and the line is weighed again:
    folding from the end, the cards that go are the late ones and everything less urgent than
    them, and the line keeps the cards that can still make their targets. A P1 never folds, and
    neither does a card alone in the line: it goes out at the next slot whatever its target.
    Cards folded earlier are weighed with the rest, so as the line shrinks they come back into
    it, most urgent first.
    """
    line = sorted(cards, key=lambda c: (c.score, c.case_id))  # ties as Redis orders them
    first_late = next(
        (
            i
            for i, c in enumerate(line)
            if c.due is not None
            and c.priority is not Priority.P1  # a P1 never folds, so it never makes others fold
            and (i + 1) * pace > (c.due - now).total_seconds()
        ),
        len(line),
    )
    folded: list[Waiting] = []
    while len(line) > max(1, first_late) and line[-1].priority is not Priority.P1:
        folded.append(line.pop())
    return Plan(tuple(line), tuple(reversed(folded)))


def holds(count: int, least_urgent: Waiting) -> bool:
    """True when a line of `count` cards whose least urgent is `least_urgent` certainly folds
    nothing, as `fold` would find, without reading the whole line: one card, or P1s only. False
    means only that the whole line must be weighed (any card in it may be late)."""
    return count <= 1 or least_urgent.priority is Priority.P1
