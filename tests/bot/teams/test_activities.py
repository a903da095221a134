"""What Teams sends for a press, parsed once: invokes, submits, refreshes, and the rest."""

from __future__ import annotations

from typing import Any

from bot.teams.activities import Pressed
from bot.teams.adaptive import Verb
from flare.outcome import Field
from tests.fakes.teams import card_press


def press(verb: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return card_press(
        verb,
        data,
        user="29:jo",
        aad="aad-jo",
        name="Jo",
        reply_to="1000",
        service_url="https://smba.example/teams/",
        **extra,
    )


def test_an_action_execute_names_its_verb_case_inputs_and_who_pressed() -> None:
    pressed = Pressed.of(press("case_reply", {"verb": "case_reply", "case": "9", "draft": "hi"}))

    assert pressed is not None
    assert (pressed.press.verb, pressed.press.case) == (Verb.REPLY, "9")
    assert pressed.text(Field.DRAFT) == "hi"
    assert (pressed.user, pressed.aad, pressed.message_id) == ("29:jo", "aad-jo", "1000")
    assert pressed.invoke and not pressed.automatic


def test_the_verb_comes_from_the_action_when_the_data_lacks_it() -> None:
    pressed = Pressed.of(press("case_claim", {"case": "9"}))
    assert pressed is not None and pressed.press.verb is Verb.CLAIM


def test_a_cards_own_refresh_is_marked_automatic() -> None:
    pressed = Pressed.of(press("refresh", {"case": "9"}, trigger="automatic"))
    assert pressed is not None and pressed.automatic


def test_an_action_submit_arrives_as_a_message_with_the_data_as_its_value() -> None:
    activity = {**press("", {}), "type": "message", "value": {"verb": "case_claim", "case": "9"}}

    pressed = Pressed.of(activity)

    assert pressed is not None and not pressed.invoke and pressed.press.case == "9"


def test_anything_else_is_not_a_press() -> None:
    assert Pressed.of({"type": "message", "text": "hello Flare"}) is None
    assert Pressed.of({"type": "conversationUpdate"}) is None
    assert Pressed.of(press("launch_rockets", {"case": "9"})) is None


def test_the_same_press_sent_again_has_the_same_key_and_other_words_another() -> None:
    first = Pressed.of(press("case_reply", {"case": "9", "draft": "hi"}))
    again = Pressed.of(press("case_reply", {"case": "9", "draft": "hi"}))
    other = Pressed.of(press("case_reply", {"case": "9", "draft": "hello"}))

    assert first is not None and again is not None and other is not None
    assert first.key == again.key != other.key
