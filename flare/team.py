"""Who may do what on a card: agents, leads and the PR team, from settings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flare.case import Case
from rules.review import PR_ACTIONS

EVERYONE = "*"
"""FLARE_SLACK__AGENTS=* : everyone in the workspace may act, and post on X, on purpose."""


@dataclass(frozen=True)
class Team:
    agents: frozenset[str] = frozenset()  # empty: anyone works cards, nobody posts on X
    pr: frozenset[str] = frozenset()
    leads: frozenset[str] = frozenset()

    @property
    def everyone(self) -> bool:
        """The agents are set to `*`: anyone in the workspace, said on purpose."""
        return EVERYONE in self.agents

    @property
    def named(self) -> frozenset[str]:
        return (self.agents | self.pr | self.leads) - {EVERYONE}

    def may_act(self, user: str) -> bool:
        """Anyone named in settings may act; with no agents named (or `*`), anyone may."""
        return not self.agents or self.everyone or user in self.named

    def may_post_on_x(self, user: str) -> bool:
        """Replies and DMs go out on X as the brand: only from someone named (an agent, a lead,
        the PR team), or anyone when the agents are `*`. With nobody named, nobody: a fresh
        install does not let the whole workspace speak for the brand."""
        return self.everyone or user in self.named

    def is_lead(self, user: str) -> bool:
        return user in self.leads

    def may_speak_for(self, case: Case, user: str) -> bool:
        """PR risks and crises are answered by PR only (when a PR team is named)."""
        if case.decision.action in PR_ACTIONS and self.pr:
            return user in self.pr
        return self.may_act(user)

    def approvers(self, case: Case) -> frozenset[str]:
        """Who may approve a reply on this case: for a PR risk, PR and the leads; otherwise the
        leads, or the PR team when no lead is named. Empty: nobody can."""
        if case.decision.action in PR_ACTIONS and self.pr:
            return self.pr | self.leads
        return self.leads or self.pr

    def may_approve(self, case: Case, user: str) -> bool:
        return user in self.approvers(case)

    def may_approve_statement(self, author: str, user: str) -> bool:
        """An incident's statement: a second member of the PR team or a lead approves it; its
        author only where PR is one person and no lead is named, so nobody else could. With
        neither named, anyone who may post on X."""
        if not self.pr and not self.leads:
            return self.may_post_on_x(user)
        if user not in self.pr | self.leads:
            return False
        return user != author or (len(self.pr) == 1 and not self.leads)

    def refusal(self, what: str) -> str:
        if what == "pr":
            return "Only the PR team may answer this case in public."
        if what == "lead":
            return "Only a team lead may do that."
        if what == "x":
            return (
                "Nobody may reply or DM on X as the brand yet: an admin names the agents in "
                "FLARE_SLACK__AGENTS (or sets it to * for everyone)."
            )
        return "You are not on the list of agents who may act on Flare cards."

    def rights(self) -> list[str]:
        """What is allowed and to whom, as `flare bot` says it at start."""
        if self.everyone:
            x = "everyone in the workspace (FLARE_SLACK__AGENTS=*)"
        elif not self.agents and not self.named:
            x = (
                "nobody: FLARE_SLACK__AGENTS is empty; name the agents' Slack ids, "
                "or set it to * for everyone"
            )
        else:
            x = f"{_list(self.named)}" + ("" if self.agents else " (no agents named)")
        cards = "anyone in the channel" if not self.agents or self.everyone else "those named"
        if self.leads:
            approve = f"the leads {_list(self.leads)}"
        elif self.pr:
            approve = f"the PR team {_list(self.pr)} (FLARE_SLACK__LEADS is empty)"
        else:
            approve = (
                "nobody: FLARE_SLACK__LEADS and FLARE_SLACK__PR_TEAM are empty, so VIP, P1 and "
                "P2 replies cannot go out"
            )
        return [
            f"Claim and close cards: {cards}",
            f"Reply and DM on X as the brand: {x}",
            f"Approve VIP, P1 and P2 replies: {approve}",
        ]


def _list(people: Iterable[str]) -> str:
    return ", ".join(sorted(people))


def needs_approval(case: Case) -> bool:
    """A lead (or PR) approves the public reply first: decided once, by rules.review."""
    return case.decision.review
