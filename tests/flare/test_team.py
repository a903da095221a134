"""Who may do what on a card, and when a lead approves a reply first."""

from __future__ import annotations

from datetime import timedelta

from flare.case import Case
from flare.team import Team, needs_approval
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


PR_ONE, PR_TWO, LEAD, AGENT = "U0PR1", "U0PR2", "U0LEAD", "U0AGENT"


def test_a_statement_is_approved_by_a_second_member_of_pr_or_a_lead() -> None:
    team = Team(frozenset({AGENT}), frozenset({PR_ONE, PR_TWO}), frozenset({LEAD}))

    assert team.may_approve_statement(PR_ONE, PR_TWO)
    assert team.may_approve_statement(PR_ONE, LEAD)
    assert not team.may_approve_statement(PR_ONE, PR_ONE)
    assert not team.may_approve_statement(PR_ONE, AGENT)


def test_a_pr_team_of_one_with_no_lead_approves_its_own_statement() -> None:
    alone = Team(frozenset({AGENT}), frozenset({PR_ONE}), frozenset())
    with_lead = Team(frozenset({AGENT}), frozenset({PR_ONE}), frozenset({LEAD}))

    assert alone.may_approve_statement(PR_ONE, PR_ONE)
    assert not alone.may_approve_statement(PR_ONE, AGENT)
    assert not with_lead.may_approve_statement(PR_ONE, PR_ONE)


# safe by default ----------------------------------------------------------------------------
def test_with_no_agents_named_anyone_works_cards_but_nobody_posts_on_x() -> None:
    fresh = Team()

    assert fresh.may_act("U0ANYONE")
    assert not fresh.may_post_on_x("U0ANYONE")
    assert "FLARE_SLACK__AGENTS" in fresh.refusal("x")


def test_agents_set_to_star_let_everyone_post_on_x_on_purpose() -> None:
    everyone = Team(agents=frozenset({"*"}))

    assert everyone.may_act("U0ANYONE") and everyone.may_post_on_x("U0ANYONE")


def test_named_agents_leads_and_pr_post_on_x_and_nobody_else_does() -> None:
    team = Team(frozenset({AGENT}), frozenset({PR_ONE}), frozenset({LEAD}))

    assert all(team.may_post_on_x(who) for who in (AGENT, PR_ONE, LEAD))
    assert not team.may_post_on_x("U0STRANGER")


def test_with_no_leads_a_vip_reply_is_approved_by_the_pr_team() -> None:
    case = _case("@acme thank you, great service!", followers=50_000)
    no_leads = Team(frozenset({AGENT}), frozenset({PR_ONE}), frozenset())

    assert no_leads.may_approve(case, PR_ONE)
    assert not no_leads.may_approve(case, AGENT)


def test_with_neither_leads_nor_pr_nobody_approves_and_the_start_line_says_so() -> None:
    case = _case("@acme thank you, great service!", followers=50_000)
    agents_only = Team(frozenset({AGENT}))

    assert agents_only.approvers(case) == frozenset()
    assert "Approve VIP, P1 and P2 replies: nobody" in "\n".join(agents_only.rights())


def test_the_start_lines_say_who_may_post_on_x() -> None:
    assert "Reply and DM on X as the brand: nobody" in "\n".join(Team().rights())
    assert "everyone in the workspace" in "\n".join(Team(agents=frozenset({"*"})).rights())
    named = Team(frozenset({AGENT}), leads=frozenset({LEAD}))
    assert f"Reply and DM on X as the brand: {AGENT}, {LEAD}" in "\n".join(named.rights())
    assert f"Approve VIP, P1 and P2 replies: the leads {LEAD}" in "\n".join(named.rights())
