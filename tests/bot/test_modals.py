"""The modals behind Reply, DM, Escalate and Resolve, checked against what Slack accepts."""

from __future__ import annotations

import json

from bot import modals
from cli.standin import block_kit_problems
from flare.case import Case, CaseState
from rules.mention import Author
from tests.builders import NOON, decision, mention


def case_of(text: str = "@acme charged twice", username: str = "dana") -> Case:
    m = mention(text=text).model_copy(
        update={"author": Author(id="u1", username=username, followers=5)}
    )
    return Case(mention=m, decision=decision(m), stored_at=NOON, state=CaseState.CLAIMED)


def test_the_dm_modal_asks_for_no_more_than_slack_lets_a_text_box_take() -> None:
    view = modals.dm_modal(case_of(), "Hi! " * 2000)

    assert block_kit_problems(view["blocks"], view=view) == []
    (box,) = [b["element"] for b in view["blocks"] if b["type"] == "input"]
    assert box["max_length"] == 3000 and len(box["initial_value"]) <= 3000


def test_an_enormous_post_full_of_ampersands_fits_every_modal() -> None:
    case = case_of(text="&<>" * 4000, username="u" * 300)

    for view in (
        modals.reply_modal(case, "draft", "12/280 characters"),
        modals.dm_modal(case, ""),
        modals.escalate_modal(case, ["safety"], "safety"),
        modals.close_modal(case),
    ):
        assert block_kit_problems(view["blocks"], view=view) == [], view["callback_id"]


def test_the_post_in_a_modal_is_plain_text_so_it_neither_pings_nor_formats() -> None:
    view = modals.reply_modal(case_of(text="<!channel> *bold* <https://evil|x>"), "", "0")

    quote = view["blocks"][0]["text"]
    assert quote == {
        "type": "plain_text",
        "text": "@dana: <!channel> *bold* <https://evil|x>",
        "emoji": False,
    }


def test_long_topic_names_fit_the_topic_menu() -> None:
    topics = ["a-topic-whose-name-goes-on-" + "and-on-" * 20, "safety"]

    view = modals.escalate_modal(case_of(), topics, topics[0])

    assert block_kit_problems(view["blocks"], view=view) == []


def test_the_note_for_pr_is_kept_to_a_few_lines() -> None:
    view = modals.escalate_modal(case_of(), ["safety"])

    note = next(b for b in view["blocks"] if b.get("block_id") == "note")
    assert note["element"]["max_length"] == modals.NOTE_MAX


def test_the_check_line_under_a_draft_is_escaped() -> None:
    view = modals.reply_modal(case_of(), "x", "tone: reads as rude (<!here>)")

    assert "&lt;!here&gt;" in json.dumps(view) and "<!here>" not in json.dumps(view)
