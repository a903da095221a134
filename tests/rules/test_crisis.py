"""The paging chain: built from the crisis plan, walked across repeats, kept as JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from rules.crisis import Chain, Contact, Crisis, Step
from rules.playbook import load_playbook

LEGAL = Contact(name="Legal counsel", email="legal@example.com")
PR = Contact(name="PR on call", slack="U0PR", ack_within=timedelta(minutes=3))
PLAN = Crisis(
    ack_within=timedelta(minutes=10),
    repeat=2,
    contacts={"legal": [LEGAL, PR], "default": [PR]},
)


def test_each_step_has_the_contacts_own_time_or_else_the_plans() -> None:
    chain = PLAN.chain_for("legal")

    assert chain.steps == (
        Step(contact=LEGAL, ack_within=timedelta(minutes=10)),
        Step(contact=PR, ack_within=timedelta(minutes=3)),
    )


def test_the_chain_runs_its_steps_in_order_then_again_then_runs_out() -> None:
    chain = PLAN.chain_for("legal")

    names = [step.contact.name for n in range(chain.pages) if (step := chain.step(n))]

    assert names == ["Legal counsel", "PR on call", "Legal counsel", "PR on call"]
    assert chain.step(4) is None
    assert chain.step(-1) is None


def test_a_topic_without_a_chain_gets_the_default_chain_under_its_own_topic() -> None:
    chain = PLAN.chain_for("outage")

    assert chain.topic == "outage"
    assert [s.contact for s in chain.steps] == [PR]


def test_with_no_chain_and_no_default_nobody_is_paged() -> None:
    chain = Crisis(contacts={"legal": [LEGAL]}).chain_for("outage")

    assert chain.steps == ()
    assert chain.pages == 0
    assert chain.step(0) is None


def test_a_chain_survives_a_json_round_trip_unchanged() -> None:
    chain = PLAN.chain_for("legal")

    assert Chain.model_validate_json(chain.model_dump_json()) == chain


def test_a_chain_is_frozen_so_an_open_incident_keeps_the_one_it_was_given() -> None:
    chain = PLAN.chain_for("legal")

    with pytest.raises(ValidationError):
        chain.repeat = 5  # type: ignore[misc]


def test_the_shipped_plan_pages_the_safety_lead_within_five_minutes_twice_over() -> None:
    chain = load_playbook(None).chain_for("safety")

    first = chain.step(0)
    assert first is not None
    assert (first.contact.name, first.ack_within) == ("Safety lead", timedelta(minutes=5))
    assert chain.repeat == 2


def test_a_drill_can_give_each_contact_seconds() -> None:
    plan = Crisis.model_validate(
        {
            "ack_within": "20s",
            "contacts": {
                "default": [
                    {"name": "Drill", "slack": "U0DRILL", "ack_within": "5s"},
                    {"name": "Backup", "email": "backup@example.com"},
                ]
            },
        }
    )

    chain = plan.chain_for("outage")

    assert [s.ack_within for s in chain.steps] == [timedelta(seconds=5), timedelta(seconds=20)]
