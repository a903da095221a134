"""A decision: typed fields for what other layers read, and decisions stored before them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules.decision import Action, Decision, Priority

BEFORE_TYPED_FIELDS = {
    "mention_id": "1001",
    "action": "escalate_pr",
    "priority": "P1",
    "reasons": ['legal threat ("lawyer")'],
    "signals": {
        "summoned": False,
        "vip": True,
        "reach": "high",
        "spreading": True,
        "controversial": [],
        "risks": {"legal": "lawyer", "safety": "fire"},
        "spike": {"opened": True},
        "age_min": 42.5,
        "review": True,
    },
}


def test_a_decision_stored_before_the_typed_fields_reads_them_from_its_signals() -> None:
    d = Decision.model_validate(BEFORE_TYPED_FIELDS)
    assert d.action is Action.ESCALATE_PR
    assert (d.summoned, d.vip, d.influential, d.spreading) == (False, True, True, True)
    assert d.risks == ("legal", "safety") and d.spike_opened and d.review
    assert not d.controversial and d.age == timedelta(minutes=42.5)


def test_a_decision_stored_before_complaint_was_typed_reads_it_from_its_signals() -> None:
    stored = Decision(mention_id="1", action=Action.RESPOND, review=True).model_dump(mode="json")
    del stored["complaint"]

    assert Decision.model_validate({**stored, "signals": {"complaint": True}}).complaint
    assert not Decision.model_validate({**stored, "signals": {"complaint": False}}).complaint


def test_a_decision_stored_with_no_signals_loads_with_the_defaults() -> None:
    d = Decision.model_validate({"mention_id": "1", "action": "respond"})
    assert d.summoned and d.risks == () and not d.review and d.age is None


def test_a_stored_decision_round_trips_through_json_with_its_typed_fields() -> None:
    d = Decision(
        mention_id="1",
        action=Action.THANK,
        summoned=False,
        risks=("legal",),
        influential=True,
        review=True,
        age=timedelta(minutes=3),
        signals={"review": False},  # the explanation never overrides a typed field
    )
    assert Decision.model_validate_json(d.model_dump_json()) == d


def test_a_decision_made_unchecked_equals_one_pydantic_constructs() -> None:
    given = {
        "mention_id": "9",
        "action": Action.RESPOND,
        "priority": Priority.P2,
        "reasons": ("a question",),
        "signals": {"question": True},
        "age": timedelta(minutes=3),
    }
    made = Decision.made(**given)
    constructed = Decision.model_construct(**given)

    assert made == constructed
    assert list(made.__dict__) == list(constructed.__dict__)  # the same order, so the same JSON
    assert made.model_dump_json() == constructed.model_dump_json()
    assert made.model_fields_set == constructed.model_fields_set == set(given)
    assert Decision.model_validate_json(made.model_dump_json()) == made


def test_decisions_made_with_default_signals_do_not_share_them() -> None:
    one = Decision.made(mention_id="1", action=Action.DROP)
    other = Decision.made(mention_id="2", action=Action.DROP)

    one.signals["spam"] = ["a link farm"]

    assert other.signals == {}


def test_a_decision_made_without_its_mention_says_so() -> None:
    with pytest.raises(TypeError, match="needs mention_id"):
        Decision.made(action=Action.DROP)
