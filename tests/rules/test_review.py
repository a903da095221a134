"""The one rule for when a lead (or PR) approves a public reply first."""

from __future__ import annotations

import pytest

from rules.decision import Action
from rules.review import reviewed

QUIET = {"influential": False, "spreading": False, "controversial": False}


@pytest.mark.parametrize("action", [Action.ESCALATE_PR, Action.CRISIS])
def test_pr_risks_and_crises_are_always_reviewed(action: Action) -> None:
    assert reviewed(action, **QUIET)


@pytest.mark.parametrize("action", [Action.RESPOND, Action.PRIORITY, Action.THANK])
def test_an_ordinary_reply_to_an_ordinary_post_is_not_reviewed(action: Action) -> None:
    assert not reviewed(action, **QUIET)


@pytest.mark.parametrize("why", ["influential", "spreading", "controversial"])
@pytest.mark.parametrize("action", [Action.RESPOND, Action.PRIORITY, Action.THANK])
def test_a_reply_is_reviewed_when_the_author_carries_far_the_post_spreads_or_divides(
    action: Action, why: str
) -> None:
    assert reviewed(action, **{**QUIET, why: True})


@pytest.mark.parametrize("action", [Action.IGNORE, Action.DROP, Action.HARASSMENT])
def test_what_gets_no_public_reply_has_nothing_to_review(action: Action) -> None:
    assert not reviewed(action, influential=True, spreading=True, controversial=True)
