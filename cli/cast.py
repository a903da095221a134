"""The demo's people: an agent, a lead and PR, as the page's "act as" menu offers them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Person:
    id: str  # their Slack user id: what a click from them carries
    name: str
    role: str  # what they do in the demo, as the menu says it

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "role": self.role}


AGENT = Person("U0DEMOAGENT", "Ana Torres", "agent")
LEAD = Person("U0DEMOLEAD", "Lee Okafor", "support lead")
PR = Person("U0DEMOPR", "Priya Shah", "PR on call")
CAST = (AGENT, LEAD, PR)


def paged_chain(crisis: dict[str, Any], ack_within: str) -> dict[str, Any]:
    """The playbook's crisis plan with every chain paging the demo's PR person first, then its
    lead, each with `ack_within` to answer: the chain steps while you watch."""
    chain = [
        {"name": f"{PR.name} (PR on call)", "slack": PR.id, "ack_within": ack_within},
        {"name": f"{LEAD.name} (support lead)", "slack": LEAD.id, "ack_within": ack_within},
    ]
    contacts = {topic: list(chain) for topic in (crisis.get("contacts") or {"default": []})}
    return {**crisis, "ack_within": ack_within, "contacts": contacts}
