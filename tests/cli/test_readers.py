"""Reading posts in other processes decides exactly what reading them inline does."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from cli.rules import decide_all
from rules.engine import Engine
from rules.mention import Mention
from rules.playbook import load_playbook

SAMPLE = Path(__file__).resolve().parents[2] / "cli" / "samples" / "demo.jsonl"


def the_sample() -> list[Mention]:
    lines = SAMPLE.read_text().split("\n")
    return [Mention.model_validate(json.loads(line)) for line in lines if line]


def test_decisions_read_in_two_processes_equal_those_read_inline() -> None:
    mentions = the_sample()
    engine = Engine(load_playbook(), ("acme",))
    now = max(m.created_at for m in mentions) + timedelta(minutes=5)

    inline = decide_all(engine, mentions, now, chunk=7, processes=1)
    shared = decide_all(engine, mentions, now, chunk=7, processes=2)

    assert [d.as_line() for d in shared] == [d.as_line() for d in inline]
    assert len(inline) == len(mentions) > 14  # several chunks, so the readers ran ahead


NOTES_SIGTERM_THEN_STOPS_EARLY = f"""
import json, signal
from pathlib import Path
from cli.readers import readers
from rules.engine import Engine
from rules.mention import Mention
from rules.playbook import load_playbook

noted = []
signal.signal(signal.SIGTERM, lambda signum, frame: noted.append(signum))  # as `flare listen` does
lines = Path({str(SAMPLE)!r}).read_text().split("\\n")
mentions = [Mention.model_validate(json.loads(line)) for line in lines if line]
with readers(Engine(load_playbook(), ("acme",)), 2) as read:
    next(iter(read([mentions] * 200)))  # then stopped (an error, Ctrl-C) with readers still busy
assert noted == [], noted
"""


def test_readers_stopped_early_end_even_in_a_process_that_only_notes_sigterm() -> None:
    """Readers inherit this process's handlers; without their own they outlive `terminate()`
    and the command hangs at its end."""
    done = subprocess.run(
        [sys.executable, "-c", NOTES_SIGTERM_THEN_STOPS_EARLY],
        cwd=SAMPLE.parents[2],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
