"""Who may do what on a card, and when a lead approves a reply first."""

from __future__ import annotations

from datetime import timedelta

from flare.case import Case
from flare.team import needs_approval
from rules.context import MemoryContext
from rules.engine import Engine
from rules.playbook import load_playbook
from tests.builders import NOON, mention

NOW = NOON + timedelta(minutes=2)


def _case(text: str, followers: int) -> Case:
    m = mention(text=text, followers=followers)
    d = Engine(load_playbook(), ("acme",)).decide(m, MemoryContext(), NOW)
    return Case(mention=m, decision=d, stored_at=NOW)


def test_a_thank_you_from_a_big_unverified_account_is_reviewed_in_the_engine_and_in_chat() -> None:
    case = _case("@acme thank you, great service!", followers=50_000)
    assert not case.mention.author.verified
    assert case.decision.review and needs_approval(case)


def test_an_ordinary_question_needs_no_approval_in_either_place() -> None:
    case = _case("@acme do you ship to Canada?", followers=120)
    assert not case.decision.review and not needs_approval(case)


def test_a_pr_risk_needs_approval_in_chat() -> None:
    case = _case("@acme my lawyer will call", followers=120)
    assert needs_approval(case)
