"""A busy channel's "N more waiting" card: what each folded case shows, how many more, and the
Pull button, in blocks Slack takes."""

from __future__ import annotations

import json
from datetime import timedelta

from bot import fold_card
from bot.action_ids import ActionId
from bot.payloads import fold_of_button
from cli.standin import block_kit_problems
from flare.case import Case
from rules.decision import Priority
from tests.builders import NOON, decision, mention

NOW = NOON + timedelta(minutes=12)


def folded(i: int, priority: Priority = Priority.P3, due_in: int = 30) -> Case:
    m = mention(id=str(i), text=f"@acme parcel {i} never came &  late", username=f"user{i}")
    return Case(
        mention=m,
        decision=decision(m, priority=priority, due=NOON + timedelta(minutes=due_in)),
        stored_at=NOON,
    )


def test_the_card_lists_each_folded_case_with_priority_author_snippet_age_and_target() -> None:
    blocks, text = fold_card.render("C0ALERTS", [folded(1, Priority.P2, 10), folded(2)], 2, NOW)

    shown = json.dumps(blocks, ensure_ascii=False)
    assert text == "⏳ 2 more cases waiting"
    assert "🟠 P2 · @user1 · “@acme parcel 1 never came &amp; late” · 12 min old" in shown
    assert "⏰ 2 min past its target" in shown
    assert "🟡 P3 · @user2" in shown and "due in 18 min" in shown
    assert block_kit_problems(blocks) == []


def test_the_card_counts_the_cases_beyond_those_it_lists() -> None:
    listed = [folded(i) for i in range(fold_card.LISTED)]

    blocks, _ = fold_card.render("C0ALERTS", listed, 250, NOW)

    assert "…and 242 more." in json.dumps(blocks, ensure_ascii=False)
    assert block_kit_problems(blocks) == []


def test_pull_names_the_channel_and_no_case() -> None:
    blocks, _ = fold_card.render("C0ALERTS", [folded(1)], 1, NOW)

    (button,) = blocks[-1]["elements"]
    assert button["action_id"] == ActionId.PULL
    assert fold_of_button(button["value"]) == "C0ALERTS"
    assert "1" not in json.loads(button["value"]).values()


def test_with_nothing_folded_the_card_says_so_and_has_no_button() -> None:
    blocks, text = fold_card.render("C0ALERTS", [], 0, NOW)

    assert text.startswith("✅ Nothing more waiting")
    assert all(b["type"] != "actions" for b in blocks)
