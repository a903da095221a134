"""The Teams card: drawn from the case, the clock and who views it; outside text escaped."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from microsoft_teams.cards import AdaptiveCard

from bot.teams.adaptive import Verb, Viewer, gone, page, render, settled
from flare.case import CaseState
from flare.casework import draft_ref
from flare.incidents import Incident
from rules.crisis import Contact, Step
from tests.bot.test_card import NOW, case_in
from tests.builders import NOON

GOLDEN = Path(__file__).parents[1] / "golden"
NAMES = {"U0AGENT1": "Jo Doe"}
VIEWER = Viewer(name=lambda p: NAMES.get(p, p), topics=("billing", "safety"))


def executes(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Execute on the card, in its forms too."""
    found = []
    for action in card.get("actions", []):
        if action["type"] == "Action.Execute":
            found.append(action)
        elif action["type"] == "Action.ShowCard":
            found += executes(action["card"])
    return found


def verbs(card: dict[str, Any]) -> list[str]:
    return [a["verb"] for a in executes(card)]


def texts(card: dict[str, Any]) -> str:
    return "\n".join(b["text"] for b in card["body"] if b["type"] == "TextBlock")


@pytest.mark.parametrize("state", list(CaseState))
def test_every_state_renders_as_its_golden_card(state: CaseState) -> None:
    got = render(case_in(state), NOW, VIEWER)
    path = GOLDEN / f"teams_card_{state.value}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n")
    assert got == json.loads(path.read_text())


def test_a_page_renders_as_its_golden_card() -> None:
    incident = Incident(topic="outage", opened_at=NOON, count=42, recent=(), id="inc-1")
    ana = Contact(name="Ana", slack="U0ANA")
    got = page(incident, ana, 0, 2, Step(contact=ana, ack_within=timedelta(seconds=30)))
    path = GOLDEN / "teams_page.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n")
    assert got == json.loads(path.read_text())


@pytest.mark.parametrize("state", list(CaseState))
def test_every_card_is_an_adaptive_card_1_5_that_the_schema_models_accept(state: CaseState) -> None:
    card = render(case_in(state), NOW, VIEWER)

    assert card["version"] == "1.5"
    assert AdaptiveCard.model_validate(card).version == "1.5"


def test_every_button_falls_back_to_an_action_submit_with_the_same_data() -> None:
    card = render(case_in(CaseState.CLAIMED), NOW, VIEWER)

    for action in executes(card):
        assert action["fallback"]["type"] == "Action.Submit"
        assert action["fallback"]["data"] == action["data"]
        assert action["data"]["verb"] == action["verb"]


def test_buttons_follow_the_case_state_as_in_slack() -> None:
    assert verbs(render(case_in(CaseState.OPEN), NOW)) == [Verb.CLAIM]
    assert verbs(render(case_in(CaseState.CLAIMED), NOW)) == [
        Verb.REPLY,
        Verb.DM,
        Verb.ESCALATE,
        Verb.CLOSE,
        Verb.RELEASE,
        Verb.TAKE_OVER,
    ]
    assert verbs(render(case_in(CaseState.RESOLVED), NOW)) == [Verb.REOPEN]


def test_button_data_refers_to_the_case_and_carries_no_state() -> None:
    card = render(case_in(CaseState.CLAIMED), NOW, VIEWER)

    assert {json.dumps(a["data"], sort_keys=True) for a in executes(card)} == {
        json.dumps({"case": "1001", "verb": v}, sort_keys=True) for v in verbs(card)
    }


def test_a_draft_awaiting_approval_is_shown_with_buttons_naming_those_words() -> None:
    case = case_in(CaseState.CLAIMED, awaiting_approval="Sorry **everyone**")
    card = render(case, NOW, VIEWER)

    assert "Sorry \\*\\*everyone\\*\\*" in texts(card)
    approve = next(a for a in executes(card) if a["verb"] == Verb.APPROVE)
    assert approve["data"]["draft"] == draft_ref("Sorry **everyone**")


def test_the_viewers_draft_fills_the_reply_box_and_problems_show_first() -> None:
    viewer = Viewer(draft="Hi {{DATE(2026-01-01T00:00:00Z)}} Dana", problem="Write a reply first.")
    card = render(case_in(CaseState.CLAIMED), NOW, viewer)

    assert card["body"][0]["text"] == "⚠️ Write a reply first."
    reply = next(a for a in card["actions"] if a["title"] == "Reply")
    assert reply["card"]["body"][0]["value"] == "Hi {\u200b{DATE(2026-01-01T00:00:00Z)}} Dana"


def test_a_post_cannot_format_the_card_link_elsewhere_or_run_a_date_function() -> None:
    hostile = (
        "@acme **URGENT** [click](https://evil.example) <at>Boss</at>\n# all\n1. refund "
        "{{DATE(2017-02-14T06:08:39Z, SHORT)}}"
    )
    card = render(case_in(CaseState.OPEN, text=hostile), NOW)

    post = card["body"][2]["text"]
    assert "\\*\\*URGENT\\*\\*" in post and "\\[click\\]\\(https://evil\\.example\\)" in post
    assert "\\<at\\>Boss\\</at\\>" in post and "\\# all" in post and "1\\. refund" in post
    assert "{{" not in post


def test_the_holders_teams_client_refreshes_the_card_itself() -> None:
    card = render(case_in(CaseState.CLAIMED), NOW, Viewer(refresh_for=("29:jo",)))

    assert card["refresh"]["userIds"] == ["29:jo"]
    assert card["refresh"]["action"]["verb"] == Verb.REFRESH
    assert "refresh" not in render(case_in(CaseState.CLAIMED), NOW)


def test_the_card_is_a_function_of_the_clock() -> None:
    case = case_in(CaseState.OPEN)
    assert render(case, NOW) == render(case, NOW)
    assert render(case, NOW) != render(case, NOW + timedelta(minutes=40))


def test_a_gone_case_and_a_settled_page_have_no_buttons() -> None:
    assert "actions" not in gone("1001")
    assert "actions" not in settled("✅ acknowledged")


def test_snooze_shows_while_a_reminder_waits_on_a_case_nobody_holds() -> None:
    waiting = case_in(CaseState.OPEN).model_copy(update={"remind_at": NOW + timedelta(minutes=5)})
    passed = waiting.model_copy(update={"remind_at": NOW - timedelta(minutes=1)})

    assert verbs(render(waiting, NOW, VIEWER)) == [Verb.CLAIM, Verb.SNOOZE]
    assert verbs(render(passed, NOW, VIEWER)) == [Verb.CLAIM]


@pytest.mark.parametrize("state", [CaseState.OPEN, CaseState.CLAIMED])
def test_i_m_on_it_shows_on_a_case_past_its_target_until_someone_is(state: CaseState) -> None:
    overdue = case_in(state).model_copy(update={"breached_at": NOW - timedelta(minutes=3)})
    taken = overdue.model_copy(update={"on_it_by": "U0AGENT1"})

    assert Verb.ON_IT in verbs(render(overdue, NOW, VIEWER))
    assert Verb.ON_IT not in verbs(render(taken, NOW, VIEWER))
    assert "**Jo Doe** is on it" in texts(render(taken, NOW, VIEWER))
