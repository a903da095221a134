"""A decision: typed fields for what other layers read, and decisions stored before them."""

from __future__ import annotations

from datetime import timedelta

from rules.decision import Action, Decision

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
