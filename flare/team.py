"""Who may do what on a card: agents, leads and the PR team, from settings."""

from __future__ import annotations

from dataclasses import dataclass

from flare.case import Case
from rules.review import PR_ACTIONS


@dataclass(frozen=True)
class Team:
    agents: frozenset[str] = frozenset()  # empty: anyone in the channel
    pr: frozenset[str] = frozenset()
    leads: frozenset[str] = frozenset()

    def may_act(self, user: str) -> bool:
        """Anyone named in settings may act; with no agents named, anyone may."""
        return not self.agents or user in self.agents | self.pr | self.leads

    def is_lead(self, user: str) -> bool:
        return user in self.leads

    def may_speak_for(self, case: Case, user: str) -> bool:
        """PR risks and crises are answered by PR only (when a PR team is named)."""
        if case.decision.action in PR_ACTIONS and self.pr:
            return user in self.pr
        return self.may_act(user)

    def may_approve(self, case: Case, user: str) -> bool:
        if case.decision.action in PR_ACTIONS and self.pr:
            return user in self.pr or user in self.leads
        return user in self.leads

    def may_approve_statement(self, author: str, user: str) -> bool:
        """An incident's statement: a second member of the PR team or a lead approves it; its
        author only where PR is one person and no lead is named, so nobody else could. With
        neither named, anyone who may act."""
        if not self.pr and not self.leads:
            return self.may_act(user)
        if user not in self.pr | self.leads:
            return False
        return user != author or (len(self.pr) == 1 and not self.leads)

    def refusal(self, what: str) -> str:
        if what == "pr":
            return "Only the PR team may answer this case in public."
        if what == "lead":
            return "Only a team lead may do that."
        return "You are not on the list of agents who may act on Flare cards."


def needs_approval(case: Case) -> bool:
    """A lead (or PR) approves the public reply first: decided once, by rules.review."""
    return case.decision.review
