"""Routes: which chat channel a case's card goes to, by its priority or its topic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rules.decision import Action, Decision, Priority

PR_ACTIONS = (Action.ESCALATE_PR, Action.CRISIS)  # PR's channel, whatever the routes say


@dataclass(frozen=True)
class Route:
    """Cards whose priority (P1 to P4) or topic is `match` go to `channel`."""

    match: str
    channel: str

    def takes(self, decision: Decision) -> bool:
        if decision.priority is not None and self.match == decision.priority.value:
            return True
        return self.match in (decision.topic or "", *decision.risks)


def parse_routes(text: str | Iterable[str] | dict[str, str]) -> tuple[Route, ...]:
    """Routes from "P1=C0URGENT,billing=C0BILLING" (or a mapping, or the pairs as a list),
    kept in the order written: the first that takes a card wins. A priority is written P1 to
    P4 (any case); a topic as the playbook names it."""
    if isinstance(text, dict):
        pairs = [f"{k}={v}" for k, v in text.items()]
    elif isinstance(text, str):
        pairs = [part for part in text.split(",") if part.strip()]
    else:
        pairs = list(text)
    routes: list[Route] = []
    for pair in pairs:
        match, eq, channel = (part.strip() for part in pair.partition("="))
        if not eq or not match or not channel or " " in channel:
            raise ValueError(
                f"{pair.strip()!r} is not PRIORITY=CHANNEL or TOPIC=CHANNEL "
                "(e.g. P1=C0URGENT,billing=C0BILLING)"
            )
        match = match.upper() if match.upper() in Priority.__members__ else match.lower()
        if any(r.match == match for r in routes):
            raise ValueError(f"{match!r} is routed twice")
        routes.append(Route(match, channel))
    return tuple(routes)


def channel_for(decision: Decision, routes: Iterable[Route], alerts: str, pr: str) -> str:
    """The channel of a case's card: PR's for a PR risk or a crisis; else the first route that
    takes its priority or topic; else the alerts channel."""
    if decision.action in PR_ACTIONS:
        return pr
    return next((r.channel for r in routes if r.takes(decision)), alerts)
