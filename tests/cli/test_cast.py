"""The demo's people and the paging chain they make."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cli.cast import LEAD, PR
from cli.showcase import demo_playbook
from rules.playbook import load_playbook


def test_every_chain_of_the_demo_playbook_pages_pr_then_the_lead_30_s_apart(
    tmp_path: Path,
) -> None:
    playbook = load_playbook(demo_playbook(tmp_path, None))

    for topic in ("default", "legal", "safety", "media"):
        chain = playbook.chain_for(topic)
        assert [s.contact.slack for s in chain.steps] == [PR.id, LEAD.id]
        assert {s.ack_within for s in chain.steps} == {timedelta(seconds=30)}
