"""The card: drawn from the case and the clock alone, outside text escaped, buttons by state."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from bot.action_ids import ActionId
from bot.card import gone, render
from bot.mrkdwn import escape, fit
from bot.payloads import case_of_button
from cli.standin import block_kit_problems
from flare.case import Case, CaseState
from rules.context import MemoryContext
from rules.decision import Action, Priority
from rules.engine import Engine
from rules.mention import Author, Metrics
from rules.playbook import load_playbook
from tests.builders import NOON, decision, mention

GOLDEN = Path(__file__).parent / "golden"
NOW = NOON + timedelta(minutes=12)


def case_in(
    state: CaseState,
    text: str = "@acme charged twice for one order, refund please",
    **extra: object,
) -> Case:
    m = mention(text=text, followers=2_400_000, metrics=Metrics(reposts=140, replies=31, quotes=9))
    d = decision(
        m,
        Action.PRIORITY,
        Priority.P2,
        topic="billing",
        reasons=("2.4M followers", "140 reposts in 12 min", "complaint: charged twice"),
    )
    claimed = state is CaseState.CLAIMED
    return Case(
        mention=m,
        decision=d,
        state=state,
        stored_at=NOON,
        claimed_by="U0AGENT1" if claimed else None,
        claim_until=NOW + timedelta(minutes=30) if claimed else None,
        **extra,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("state", list(CaseState))
def test_every_state_renders_as_its_golden_card(state: CaseState) -> None:
    blocks, text = render(case_in(state), NOW)
    got = {"text": text, "blocks": blocks}
    path = GOLDEN / f"card_{state.value}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n")
    assert got == json.loads(path.read_text())


def _buttons(case: Case) -> list[str]:
    blocks, _ = render(case, NOW)
    actions = next(b for b in blocks if b["type"] == "actions")
    return [e["action_id"] for e in actions["elements"]]


def test_an_open_case_offers_claim_only() -> None:
    assert _buttons(case_in(CaseState.OPEN)) == [ActionId.CLAIM]


def test_a_claimed_case_offers_the_agents_work_and_names_the_holder() -> None:
    case = case_in(CaseState.CLAIMED)
    assert _buttons(case) == [
        ActionId.REPLY,
        ActionId.DM,
        ActionId.ESCALATE,
        ActionId.CLOSE,
        ActionId.RELEASE,
        ActionId.TAKE_OVER,
    ]
    blocks, _ = render(case, NOW)
    assert "Claimed by <@U0AGENT1> until 12:42 UTC" in json.dumps(blocks)


@pytest.mark.parametrize("state", [CaseState.RESOLVED, CaseState.IGNORED])
def test_a_closed_case_offers_reopen(state: CaseState) -> None:
    assert _buttons(case_in(state)) == [ActionId.REOPEN]


def test_button_values_carry_a_reference_to_the_case_only() -> None:
    blocks, _ = render(case_in(CaseState.OPEN), NOW)
    actions = next(b for b in blocks if b["type"] == "actions")
    assert {e["value"] for e in actions["elements"]} == {'{"case":"1001"}'}
    assert {case_of_button(e["value"]) for e in actions["elements"]} == {"1001"}


def test_a_card_posted_before_references_were_typed_still_names_its_case() -> None:
    assert case_of_button("1001") == "1001"
    assert case_of_button("{not json") == "{not json"


def test_a_post_that_tries_to_ping_everyone_pings_nobody() -> None:
    hostile = "@acme <!channel> <@U0BOSS> see <https://evil.example|your invoice> *now*"
    blocks, _text = render(case_in(CaseState.OPEN, text=hostile), NOW)

    post = next(b for b in blocks if b["type"] == "section" and hostile in b["text"]["text"])
    # Slack shows plain text as it is: no pings, no links
    assert post["text"]["type"] == "plain_text"
    mrkdwn = [b["text"]["text"] for b in blocks if b.get("text", {}).get("type") == "mrkdwn"]
    assert all("<!channel>" not in t and "<@U0BOSS>" not in t for t in mrkdwn)


def test_escape_neutralises_slack_control_sequences() -> None:
    assert escape("<!here> & <@U1>") == "&lt;!here&gt; &amp; &lt;@U1&gt;"


def test_the_response_target_is_shown_as_a_time_and_overdue_when_past() -> None:
    blocks, _ = render(case_in(CaseState.OPEN), NOON + timedelta(hours=2))
    status = json.dumps(blocks[-2])
    assert "Respond by 12:30 UTC" in status and "overdue" in status


def test_the_card_and_its_reasons_write_a_follower_count_the_same_way() -> None:
    m = mention(text="@acme my order never arrived", followers=12_500)
    d = Engine(load_playbook(), ("acme",)).decide(m, MemoryContext(), NOW)
    blocks, _ = render(Case(mention=m, decision=d, stored_at=NOW), NOW)
    author, why = blocks[1]["text"]["text"], blocks[4]["text"]["text"]
    assert "12.5K followers" in author and "12.5K followers" in why


def test_a_billion_followers_read_as_billions_not_thousands_of_millions() -> None:
    famous = mention(followers=1_500_000_000)
    blocks, _ = render(Case(mention=famous, decision=decision(famous), stored_at=NOW), NOW)
    assert "1.5B followers" in blocks[1]["text"]["text"]


def test_a_post_that_does_not_mention_the_brand_offers_no_public_reply() -> None:
    m = mention(text="acme lost my bag", mentioned=())
    unsummoned = decision(m, summoned=False)
    case = Case(mention=m, decision=unsummoned, state=CaseState.CLAIMED, stored_at=NOW)
    assert ActionId.REPLY not in _buttons(case)
    assert ActionId.REPLY in _buttons(case_in(CaseState.CLAIMED))


def test_the_card_is_a_function_of_the_clock() -> None:
    case = case_in(CaseState.OPEN)
    assert render(case, NOW) == render(case, NOW)
    assert render(case, NOW) != render(case, NOW + timedelta(minutes=40))


# what real Slack would refuse ------------------------------------------------------------------
def test_a_card_for_an_enormous_post_long_names_and_many_reasons_stays_within_slacks_limits() -> (
    None
):
    author = Author(id="u1", username="h" * 400, name="N" * 3000, followers=5)
    m = mention(text="& <" * 5000).model_copy(update={"author": author})
    reasons = tuple(f"reason {i} with <odd> & symbols " * 20 for i in range(40))
    d = decision(m, Action.PRIORITY, Priority.P2, topic="t" * 300, reasons=reasons)
    case = Case(mention=m, decision=d, stored_at=NOON, state=CaseState.RESOLVED, close_reason="x")

    blocks, _ = render(case, NOW)

    assert block_kit_problems(blocks) == []
    (why,) = [
        b["text"]["text"] for b in blocks if b.get("text", {}).get("text", "")[:6] == "*Why:*"
    ]
    assert why.endswith("…") and "&lt;odd&gt;" in why


def test_a_post_with_no_text_still_has_a_card() -> None:
    blocks, _ = render(case_in(CaseState.OPEN, text="   "), NOW)

    assert block_kit_problems(blocks) == []
    assert "(the post has no text)" in json.dumps(blocks)


def test_the_notification_text_of_a_card_pings_nobody() -> None:
    _, text = render(case_in(CaseState.OPEN, text="<!channel> <@U0BOSS> refund"), NOW)

    assert "<!channel>" not in text and "<@U0BOSS>" not in text
    assert "&lt;!channel&gt;" in text


def test_a_handle_cannot_bend_the_open_on_x_link() -> None:
    author = Author(id="u1", username="x|click me>", followers=5)
    case = case_in(CaseState.OPEN)
    case = case.model_copy(update={"mention": case.mention.model_copy(update={"author": author})})

    blocks, _ = render(case, NOW)

    status = blocks[-2]["elements"][0]["text"]
    assert status.startswith("<https://x.com/x%7Cclick%20me&gt;/status/1001|Open on X>")


def test_fit_never_cuts_an_escape_in_half() -> None:
    assert fit("a&b", 6) == "a…"
    assert fit("a&bc", 7) == "a&amp;…"
    assert fit("&&&", 11) == "&amp;&amp;…"
    assert len(fit("<" * 1000, 100)) <= 100


def test_a_case_flare_no_longer_has_gets_a_card_without_buttons() -> None:
    blocks = gone("1001")

    assert all(b["type"] != "actions" for b in blocks)
    assert block_kit_problems(blocks) == []


def _shown(blocks: list[dict[str, object]]) -> list[str]:
    actions = next(b for b in blocks if b["type"] == "actions")
    return [e["action_id"] for e in actions["elements"]]  # type: ignore[attr-defined]


def test_snooze_is_offered_while_a_reminder_waits_on_a_case_nobody_holds() -> None:
    waiting = case_in(CaseState.OPEN, remind_at=NOW + timedelta(minutes=3))
    gone_by = case_in(CaseState.OPEN, remind_at=NOW - timedelta(minutes=1))
    held = case_in(CaseState.CLAIMED, remind_at=NOW + timedelta(minutes=3))

    assert _shown(render(waiting, NOW)[0]) == [ActionId.CLAIM, ActionId.SNOOZE]
    assert _shown(render(gone_by, NOW)[0]) == [ActionId.CLAIM]
    assert ActionId.SNOOZE not in _shown(render(held, NOW)[0])
    assert "Reminder at 12:15 UTC" in json.dumps(render(waiting, NOW)[0])


def test_a_breached_case_says_overdue_in_its_header_until_it_is_answered() -> None:
    breached = case_in(CaseState.CLAIMED, breached_at=NOON + timedelta(minutes=15))
    answered = case_in(
        CaseState.CLAIMED, breached_at=NOON, reply_id="9", answered_at=NOW, replied_by="U0AGENT1"
    )

    assert render(breached, NOW)[0][0]["text"]["text"].endswith("⏰ OVERDUE")
    assert "OVERDUE" not in render(answered, NOW)[0][0]["text"]["text"]


def test_a_claim_that_ran_out_is_said_on_the_card_until_someone_claims_it() -> None:
    lapsed = case_in(CaseState.OPEN, lapsed_by="U0AGENT1")

    assert "<@U0AGENT1>'s claim ran out: open for anyone to claim" in json.dumps(
        render(lapsed, NOW)[0], ensure_ascii=False
    )
