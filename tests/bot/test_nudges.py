"""What Flare says in a card's thread to the people a case must reach."""

from __future__ import annotations

from datetime import timedelta

from bot.nudges import few_words, heads_up, overdue, reminder, still_overdue
from flare.case import Case, CaseState
from rules.decision import Action, Priority
from tests.builders import NOON, decision, mention


def case_of(
    action: Action, reasons: tuple[str, ...] = ("2.4M followers",), **extra: object
) -> Case:
    m = mention()
    priority = Priority.P1 if action is Action.ESCALATE_PR else Priority.P2
    d = decision(m, action, priority, reasons=reasons)
    return Case(mention=m, decision=d, stored_at=NOON, **extra)  # type: ignore[arg-type]


def test_the_reasons_come_in_a_few_escaped_words() -> None:
    reasons = ("a" * 200, "<!channel> said", "verified", "spreading")

    words = few_words(reasons)

    assert words.startswith("a" * 79 + "…; &lt;!channel&gt; said; verified")
    assert words.endswith("(+1 more on the card)")


def test_a_priority_heads_up_names_the_leads_and_the_target() -> None:
    line = heads_up(case_of(Action.PRIORITY), ["<@U0LEAD>", "<@U0LEAD2>"])

    assert line == (
        "👀 <@U0LEAD>, <@U0LEAD2>: a priority case (P2) for a lead to watch: 2.4M followers. "
        "Respond by 12:30 UTC."
    )


def test_with_nobody_to_tell_a_pr_risk_says_so_and_pings_nobody() -> None:
    line = heads_up(case_of(Action.ESCALATE_PR, ('legal threat ("lawyer")',)), [])

    assert line.endswith(
        "No PR team (FLARE_SLACK__PR_TEAM) and no crisis contacts in the playbook: nobody was told."
    )
    assert "<@" not in line


def test_an_overdue_claimed_case_nudges_its_holder_only() -> None:
    case = case_of(Action.RESPOND, state=CaseState.CLAIMED, claimed_by="U0AGENT1")

    line = overdue(case, NOON + timedelta(minutes=42), ["<@U0LEAD>"])

    assert line.startswith("⏰ Overdue (the target was 12:30 UTC, 12 min ago)")
    assert "<@U0AGENT1>, this case is yours" in line and "U0LEAD" not in line


def test_the_reminder_says_the_target_and_what_to_do_and_pings_nobody() -> None:
    line = reminder(
        case_of(Action.RESPOND), NOON + timedelta(minutes=15), NOON + timedelta(minutes=30)
    )

    assert line == (
        "⏳ Nobody holds this case yet, and its target is 12:30 UTC (in 15 min). "
        "Claim it, or snooze this reminder on the card."
    )
    assert "<@" not in line


def test_a_chain_step_names_who_must_see_it_answered() -> None:
    held = case_of(Action.RESPOND, state=CaseState.CLAIMED, claimed_by="U0AGENT1")
    due = NOON + timedelta(minutes=30)

    line = still_overdue(held, due + timedelta(minutes=15), due, ["<@U0LEAD>"])
    nobody = still_overdue(case_of(Action.RESPOND), due, due, [])

    assert line == (
        "⏰ Still unanswered, 15 min past its target (12:30 UTC). <@U0AGENT1> holds it. "
        "<@U0LEAD>: please see that someone answers it, or press I'm on it to stop these "
        "reminders."
    )
    assert nobody.endswith("Nobody is set to tell (FLARE_SLACK__LEADS, the playbook's timers).")
