"""The engine: each row of the playbook's table, and the order of precedence between them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules.context import MemoryContext
from rules.decision import Action, Priority
from rules.engine import Engine
from rules.mention import Metrics
from rules.playbook import load_playbook
from tests.builders import NOON, mention

SOON = NOON + timedelta(minutes=2)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_playbook(), brand_handles=("acme", "acmehelp"))


def decide(engine: Engine, text: str, now=SOON, **kw):  # type: ignore[no-untyped-def]
    return engine.decide(mention(text=text, **kw), MemoryContext(), now)


def test_a_question_gets_a_normal_answer(engine: Engine) -> None:
    d = decide(engine, "@acme do you ship to Canada?")
    assert (d.action, d.priority, d.template) == (Action.RESPOND, Priority.P3, "answer")
    assert d.due == NOON + timedelta(minutes=30) and not d.late


def test_a_complaint_about_our_mistake_gets_the_ownership_template(engine: Engine) -> None:
    d = decide(engine, "@acme the blender broke after two uses, really disappointed")
    assert d.action is Action.RESPOND and d.template == "ownership"
    assert d.reasons[0].startswith("complaint: ")


def test_a_complaint_from_a_big_account_is_priority_with_the_figure(engine: Engine) -> None:
    d = decide(engine, "@acme my order is still missing", followers=2_400_000)
    assert d.action is Action.PRIORITY and d.priority is Priority.P2
    assert "2.4M followers" in d.reasons


def test_a_post_spreading_fast_is_priority(engine: Engine) -> None:
    d = decide(
        engine,
        "@acme my order is still missing",
        metrics=Metrics(reposts=140),
        now=NOON + timedelta(minutes=12),
    )
    assert d.action is Action.PRIORITY and "140 reposts in 12 min" in d.reasons


def test_risk_outranks_reach(engine: Engine) -> None:
    d = decide(engine, "@acme my lawyer will hear about this", followers=2_400_000)
    assert d.action is Action.ESCALATE_PR and d.priority is Priority.P1
    assert d.reasons[0].startswith("legal threat")
    assert d.due == NOON + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("@acme the charger caught fire on my desk", "safety"),
        ("@acme your staff were racist to my family", "discrimination"),
        ("@acme I can see someone else's account when I log in", "data/privacy"),
        ("@acme got food poisoning from your sandwich", "health"),
    ],
)
def test_every_risk_category_goes_to_pr(engine: Engine, text: str, label: str) -> None:
    d = decide(engine, text)
    assert d.action is Action.ESCALATE_PR and d.reasons[0].startswith(label)


def test_abuse_without_substance_from_nobody_is_ignored_with_a_reason(engine: Engine) -> None:
    d = decide(engine, "@acme you idiots", followers=30)
    assert d.action is Action.IGNORE and d.priority is None and d.due is None
    assert "no substance" in d.reasons[0]


def test_abuse_with_a_real_problem_is_a_complaint(engine: Engine) -> None:
    d = decide(engine, "@acme you idiots charged me twice and nobody answers")
    assert d.action is Action.RESPOND
    assert "rude, but states a real problem" in d.reasons[0]


def test_repeated_abuse_from_one_account_becomes_harassment(engine: Engine) -> None:
    context = MemoryContext()
    posts = [
        mention(
            id=str(i),
            text="@acme you morons",
            username="troll",
            created_at=NOON + timedelta(hours=i),
        )
        for i in range(3)
    ]
    decisions = engine.decide_many(posts, context, NOON + timedelta(hours=3))
    assert [d.action for d in decisions] == [Action.IGNORE, Action.IGNORE, Action.HARASSMENT]
    assert decisions[2].template == "harassment_stop"
    assert "3 abusive posts" in decisions[2].reasons[0]


def test_repeat_abuse_is_remembered_across_batches(engine: Engine) -> None:
    context = MemoryContext()
    for i in range(2):
        engine.decide(
            mention(
                id=str(i),
                text="@acme you morons",
                username="troll",
                created_at=NOON + timedelta(minutes=i),
            ),
            context,
            SOON,
        )
    third = engine.decide(
        mention(id="9", text="@acme clowns", username="troll", created_at=SOON), context, SOON
    )
    assert third.action is Action.HARASSMENT


def test_praise_is_thanked_on_a_relaxed_target(engine: Engine) -> None:
    d = decide(engine, "@acme thank you, great service!")
    assert (d.action, d.priority, d.template) == (Action.THANK, Priority.P4, "thanks")
    assert d.due == NOON + timedelta(hours=4)


def test_spam_own_posts_and_retweets_are_dropped(engine: Engine) -> None:
    assert decide(engine, "@acme crypto giveaway, double your bitcoin").action is Action.DROP
    assert decide(engine, "Sale starts today", username="acmehelp").action is Action.DROP
    assert decide(engine, "RT @acme: Sale starts today").action is Action.DROP


def test_a_mention_found_late_gets_the_late_reply_template(engine: Engine) -> None:
    d = decide(engine, "@acme my parcel never arrived", now=NOON + timedelta(hours=13))
    assert d.late and d.template == "late_reply" and d.action is Action.RESPOND
    assert any(r.startswith("found late: 13 h") for r in d.reasons)


def test_beyond_the_max_age_a_mention_is_recorded_but_not_chased(engine: Engine) -> None:
    d = decide(engine, "@acme my parcel never arrived", now=NOON + timedelta(days=4))
    assert d.action is Action.IGNORE and d.due is None
    assert d.reasons[0] == "older than 3d: recorded, not chased"
    assert d.signals["would_have_been"] == "respond"


def test_personal_data_in_the_post_means_take_it_private(engine: Engine) -> None:
    d = decide(engine, "@acme refund still missing, email me at jo@example.com")
    assert d.template == "take_private" and d.signals["personal_data"] == ["email"]
    assert any("take it private" in r for r in d.reasons)


def test_a_post_that_does_not_mention_us_says_so(engine: Engine) -> None:
    d = decide(engine, "acme lost my parcel again", mentioned=())
    assert d.action is Action.RESPOND and d.signals["summoned"] is False
    assert any("does not @mention us" in r for r in d.reasons)


def test_a_spike_of_complaints_on_one_topic_becomes_a_crisis(engine: Engine) -> None:
    posts = [
        mention(
            id=str(i),
            text="@acme the app is down",
            username=f"user{i}",
            created_at=NOON + timedelta(seconds=10 * i),
        )
        for i in range(20)
    ]
    decisions = engine.decide_many(posts, MemoryContext(), NOON + timedelta(minutes=4))
    crisis = [d for d in decisions if d.action is Action.CRISIS]
    assert len(crisis) == 6  # from the 15th (the overwhelming count) on
    assert {d.topic for d in crisis} == {"outage"}
    assert all(d.template == "crisis_statement" for d in crisis)
    assert sum(1 for d in crisis if d.signals["spike"]["opened"]) == 1


def test_decisions_come_back_in_input_order_though_decided_in_time_order(engine: Engine) -> None:
    later = mention(id="b", text="@acme you morons", username="t", created_at=NOON)
    earlier = [
        mention(
            id=f"a{i}",
            text="@acme you morons",
            username="t",
            created_at=NOON - timedelta(minutes=5 - i),
        )
        for i in range(2)
    ]
    decisions = engine.decide_many([later, *earlier], MemoryContext(), SOON)
    assert [d.mention_id for d in decisions] == ["b", "a0", "a1"]
    assert decisions[0].action is Action.HARASSMENT


def test_signals_are_json_and_reasons_are_short_strings(engine: Engine) -> None:
    import json

    d = decide(engine, "@acme where is my refund?", followers=50_000)
    json.dumps(d.as_line())
    assert all(isinstance(r, str) and len(r) < 160 for r in d.reasons)
