"""The one card of an incident: the latest complaints, escaped, within Slack's limits."""

from __future__ import annotations

from datetime import timedelta

from bot import incident_card
from cli.standin import block_kit_problems
from flare.case import Case
from flare.incidents import Incident
from tests.builders import NOON, decision, mention


def test_five_long_complaints_full_of_escapes_fit_the_incident_card() -> None:
    recent = []
    for i in range(5):
        m = mention(id=str(i), text="<!channel> " + "&<" * 300, username="u" * 200)
        recent.append(Case(mention=m, decision=decision(m), stored_at=NOON))
    incident = Incident("outage", NOON, 40, tuple(c.id for c in recent))

    blocks, text = incident_card.render(incident, recent, NOON + timedelta(minutes=5))

    assert block_kit_problems(blocks) == []
    assert "<!channel>" not in str(blocks) and text.startswith("🚨 Crisis · outage · 40 complaints")


def _buttons(blocks: list[dict[str, object]]) -> list[object]:
    [actions] = [b for b in blocks if b["type"] == "actions"]
    elements = actions["elements"]
    assert isinstance(elements, list)
    return [e["action_id"] for e in elements]


def test_once_acknowledged_the_card_still_offers_the_statement_and_links_each_one_posted() -> None:
    incident = Incident(
        "outage", NOON, 40, (), id="outage-1", state="acked", acked_by="U0ANA",
        statements=("111", "222"), draft_by="U0PR",
    )  # fmt: skip

    blocks, _ = incident_card.render(incident, [], NOON + timedelta(minutes=5))

    assert _buttons(blocks) == ["incident_statement"]
    text = str(blocks)
    assert "Statement posted: https://x.com/i/status/111" in text
    assert "Update posted: https://x.com/i/status/222" in text
    assert "drafted by <@U0PR> awaits approval" in text
    assert block_kit_problems(blocks) == []
