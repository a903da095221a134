"""The one rule for when a lead (or PR) sees a public reply before it goes out."""

from __future__ import annotations

from rules.decision import Action

PR_ACTIONS = frozenset({Action.ESCALATE_PR, Action.CRISIS})
"""Answered in public by PR's statement only (PLAYBOOK.md §4, §2.2)."""

PUBLIC_REPLIES = frozenset({Action.RESPOND, Action.PRIORITY, Action.THANK})
"""Actions whose answer is a public reply an agent writes."""


def reviewed(action: Action, *, influential: bool, spreading: bool, controversial: bool) -> bool:
    """True when a public reply waits for a lead's (or PR's) approval (PLAYBOOK.md §3, §4).

    PR risks and crises: always, PR speaks. A reply an agent writes: when the author's word
    carries far (VIP, verified, a large audience), the post is spreading fast, or it touches a
    controversial topic. Nothing else: no public reply is no reply to review.
    """
    if action in PR_ACTIONS:
        return True
    return action in PUBLIC_REPLIES and (influential or spreading or controversial)
