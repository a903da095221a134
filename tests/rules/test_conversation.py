"""A case is a conversation: a customer's later post joins the case and is read with it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from rules.context import MemoryContext
from rules.conversation import WROTE_AGAIN, Conversation, carry, resolves
from rules.decision import Action, Decision, Priority
from rules.engine import Engine
from rules.mention import Mention
from tests.builders import NOON, decision, mention

FIRST = "@acme my parcel never arrived and the tracking page is broken"


def case_for(
    engine: Engine,
    text: str = FIRST,
    *later: str,
    closed_at: datetime | None = None,
) -> Conversation:
    """The case Flare opened for `text` at noon, with `later` follow-ups already in it."""
    first = mention(id="100", text=text)
    opened = engine.decide(first, MemoryContext(), NOON + timedelta(minutes=1))
    return Conversation(
        case_id="case-100", decision=opened, turns=(first, *later), closed_at=closed_at
    )


def follow_up(text: str, minutes: int = 20, **kw: object) -> Mention:
    return mention(id="200", text=text, created_at=NOON + timedelta(minutes=minutes), **kw)  # type: ignore[arg-type]


def decide(engine: Engine, case: Conversation | None, m: Mention, now: datetime) -> Decision:
    conversations = {m.id: case} if case is not None else None
    return engine.decide_many([m], MemoryContext(), now, conversations)[0]


@pytest.mark.parametrize(
    "text",
    [
        "@acme bump",
        "@acme day 3",
        "@acme just checking in",
        "@acme following up on my earlier message",
        "@acme sent you the details",
    ],
)
def test_a_still_waiting_follow_up_in_an_open_case_needs_the_holder(
    engine: Engine, text: str
) -> None:
    m = follow_up(text)
    now = m.created_at + timedelta(minutes=1)
    alone = decide(engine, None, m, now)  # alone: a new post, with no case to join
    assert "conversation" not in alone.reasons[0] and "case_id" not in alone.signals

    d = decide(engine, case_for(engine), m, now)

    assert d.action is Action.RESPOND and d.priority is Priority.P3
    assert d.reasons[0] == f"post 2 of the conversation: {WROTE_AGAIN}"
    assert d.mention_id == "200" and d.signals["case_id"] == "case-100"


def test_a_legal_threat_in_the_third_post_escalates_the_case(engine: Engine) -> None:
    case = case_for(engine, FIRST, "@acme any news on this?")
    m = follow_up("@acme this is the third week, my lawyer will be in touch")

    d = decide(engine, case, m, m.created_at + timedelta(minutes=1))

    assert (d.action, d.priority, d.topic) == (Action.ESCALATE_PR, Priority.P1, "legal")
    assert d.reasons[0] == 'post 3 of the conversation: legal threat ("lawyer")'
    assert d.template == "pr_holding"
    assert d.due == m.created_at + timedelta(minutes=10)
    assert case.decision.reasons[0] in d.reasons  # what the case was about stays on the card


def test_a_thank_you_follow_up_never_lowers_an_escalated_case(engine: Engine) -> None:
    case = case_for(engine, "@acme the heater you sold me caught fire last night")
    assert case.decision.action is Action.ESCALATE_PR
    m = follow_up("@acme thanks for getting back to me so quickly")

    d = decide(engine, case, m, m.created_at + timedelta(minutes=1))

    assert (d.action, d.priority, d.topic) == (Action.ESCALATE_PR, Priority.P1, "safety")
    assert d.template == "pr_holding"
    assert d.reasons[-1] == "a follow-up never lowers a case: it stays escalate_pr P1"


@pytest.mark.parametrize(
    "text",
    [
        "@acme all sorted now, thanks!",
        "@acme thank you, working again 🙌",
        "@acme got my refund this morning, thank you!",
        "@acme sorted, cheers",
    ],
)
def test_all_sorted_now_thanks_is_read_as_resolved(engine: Engine, text: str) -> None:
    assert resolves(text)
    m = follow_up(text)

    d = decide(engine, case_for(engine), m, m.created_at + timedelta(minutes=1))

    assert d.signals["resolved"] is True
    assert (
        "post 2 of the conversation: the customer says it is resolved: offer to resolve the case"
        in d.reasons
    )
    assert not any(r.startswith("post 2 of the conversation: complaint") for r in d.reasons)


def test_a_resolved_follow_up_leaves_the_clock_as_it_was(engine: Engine) -> None:
    case = case_for(engine)
    m = follow_up("@acme all fixed now, thank you", minutes=90)

    d = decide(engine, case, m, m.created_at + timedelta(minutes=1))

    assert d.action is Action.RESPOND and d.due == case.decision.due


@pytest.mark.parametrize(
    "text",
    [
        "@acme ok thanks but it's still broken",
        "@acme thanks, the app is fixed but my parcel is still missing",
        "@acme thanks, is it fixed yet?",
        "@acme it isn't fixed, thanks anyway",
        "@acme all sorted now",
        "@acme thanks for the reply",
    ],
)
def test_thanks_without_a_fix_or_a_fix_beside_a_problem_is_not_resolved(text: str) -> None:
    assert not resolves(text)


def test_a_follow_up_that_is_still_broken_keeps_the_case_open_and_restarts_the_clock(
    engine: Engine,
) -> None:
    case = case_for(engine)
    m = follow_up("@acme ok thanks but it's still broken", minutes=120)

    d = decide(engine, case, m, m.created_at + timedelta(minutes=1))

    assert d.signals["resolved"] is False
    assert d.action is Action.RESPOND and d.due == m.created_at + timedelta(minutes=30)


def test_a_follow_up_does_not_push_back_a_clock_still_running(engine: Engine) -> None:
    case = case_for(engine)
    m = follow_up("@acme bump", minutes=5)

    d = decide(engine, case, m, m.created_at + timedelta(minutes=1))

    assert d.due == case.decision.due == NOON + timedelta(minutes=30)


def test_a_follow_up_found_late_gets_the_late_reply(engine: Engine) -> None:
    case = case_for(engine, "@acme how do I change the delivery address?")
    m = follow_up("@acme bump", minutes=60)

    d = decide(engine, case, m, m.created_at + timedelta(hours=2))

    assert d.late and d.template == "late_reply"
    assert d.due == m.created_at + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("text", "extra"),
    [
        ("@acme WIN a free phone, click here http://promo.example", {}),
        ("we're looking into your parcel now", {"username": "acmehelp"}),
    ],
)
def test_spam_in_a_conversation_is_still_dropped(
    engine: Engine, text: str, extra: dict[str, object]
) -> None:
    m = follow_up(text, **extra)

    d = decide(engine, case_for(engine), m, m.created_at + timedelta(minutes=1))

    assert d.action is Action.DROP and "case_id" not in d.signals  # it joins nothing


def test_abuse_without_substance_in_a_conversation_is_still_abuse(engine: Engine) -> None:
    case = case_for(engine)
    m = follow_up("@acme you clowns", minutes=120)

    d = decide(engine, case, m, m.created_at + timedelta(minutes=1))

    assert d.action is Action.RESPOND and d.due == case.decision.due  # the case, not lifted
    assert WROTE_AGAIN not in " ".join(d.reasons)
    assert "with no substance" in d.reasons[len(case.decision.reasons)]


def test_a_follow_up_with_an_account_number_takes_the_case_private(engine: Engine) -> None:
    m = follow_up("@acme my account number is 4411902")

    d = decide(engine, case_for(engine), m, m.created_at + timedelta(minutes=1))

    assert d.action is Action.RESPOND and d.template == "take_private"


def test_a_follow_up_with_no_topic_keeps_the_cases_topic(engine: Engine) -> None:
    case = case_for(engine, "@acme you charged me twice for one order")
    assert case.decision.topic == "billing"

    d = decide(engine, case, follow_up("@acme bump"), NOON + timedelta(minutes=21))

    assert d.topic == "billing"


def test_a_closed_case_does_not_lend_its_old_decision_to_a_follow_up(engine: Engine) -> None:
    closed = NOON + timedelta(hours=2)
    case = case_for(engine, "@acme the heater you sold me caught fire", closed_at=closed)
    thanks = follow_up("@acme thanks again for sorting the heater", minutes=180)
    bump = follow_up("@acme bump", minutes=180)
    now = thanks.created_at + timedelta(minutes=1)

    d = decide(engine, case, thanks, now)
    quiet = decide(engine, case, bump, now)

    assert (d.action, d.priority) == (Action.THANK, Priority.P4)
    assert d.reasons[0].startswith("post 2 of the conversation, 60 min after the case closed")
    assert quiet.action is Action.IGNORE and quiet.signals["reopens"] is False


def test_only_the_mentions_with_a_conversation_are_read_with_one(engine: Engine) -> None:
    alone = mention(id="300", text="@acme bump", username="sam", created_at=NOON)
    joined = follow_up("@acme bump")
    now = NOON + timedelta(minutes=21)

    out = engine.decide_many([alone, joined], MemoryContext(), now, {"200": case_for(engine)})

    assert [d.action for d in out] == [Action.IGNORE, Action.RESPOND]


def test_a_louder_follow_up_raises_the_priority_and_starts_its_own_clock() -> None:
    original = mention(id="100")
    case = Conversation(case_id="c", decision=decision(original), turns=(original.text,))
    later = follow_up("@acme still nothing", minutes=90)
    louder = decision(later, Action.PRIORITY, Priority.P2, reasons=("complaint: still no",))
    targets = {p: timedelta(minutes=m) for p, m in zip(Priority, (10, 15, 30, 240), strict=True)}

    d = carry(case, louder, later, targets, later.created_at)

    assert (d.action, d.priority) == (Action.PRIORITY, Priority.P2)
    assert d.due == later.created_at + timedelta(minutes=15) and not d.late
    assert d.reasons[0] == "post 2 of the conversation: complaint: still no"


def test_the_posts_of_a_conversation_are_counted_from_the_original() -> None:
    original = mention(id="100", text="@acme where is my order?")
    case = Conversation(case_id="c", decision=decision(original), turns=(original, "@acme hello?"))

    assert case.post == 3 and case.open and case.waiting
    assert case.texts() == ("@acme where is my order?", "@acme hello?")
    with pytest.raises(ValidationError):
        case.case_id = "other"  # type: ignore[misc]
