"""Reading posts in other processes decides exactly what reading them inline does."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cli.rules import decide_all
from rules.engine import Engine
from rules.mention import Mention
from rules.playbook import load_playbook

SAMPLE = Path(__file__).resolve().parents[2] / "cli" / "samples" / "demo.jsonl"


def test_decisions_read_in_two_processes_equal_those_read_inline() -> None:
    mentions = [
        Mention.model_validate(json.loads(line)) for line in SAMPLE.read_text().split("\n") if line
    ]
    engine = Engine(load_playbook(), ("acme",))
    now = max(m.created_at for m in mentions) + timedelta(minutes=5)

    inline = decide_all(engine, mentions, now, chunk=7, processes=1)
    shared = decide_all(engine, mentions, now, chunk=7, processes=2)

    assert [d.as_line() for d in shared] == [d.as_line() for d in inline]
    assert len(inline) == len(mentions) > 14  # several chunks, so the readers ran ahead
