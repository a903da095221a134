"""Benchmark: what arming a case's timers costs triage, per case, against a real Redis.

Run: `.venv/bin/python -m bench.timers [N]` (default 2000). Uses Flare's embedded Redis in a
temporary directory. Each case is stored as triage stores it, then its timers are armed as
triage arms them (`Casework.watch_due`: the reminder and the breach scheduled, the card told
when its reminder falls); the figure is the arming alone.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from flare.case import Case
from flare.casework import Casework
from flare.paging import Paging
from flare.redis_server import EmbeddedRedis
from flare.store import Store
from rules.crisis import Chain
from rules.decision import Action, Decision, Priority
from rules.mention import Author, Mention
from rules.playbook import load_playbook


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp))
        client = redis.Redis.from_url(server.acquire())
        try:
            store = Store(client)
            desk = Casework(
                store,
                Paging(store, chain_for=lambda topic: Chain(topic=topic, steps=())),
                clockwork=load_playbook().clockwork(),
            )
            now = datetime.now(UTC)
            cases = []
            for i in range(n):
                m = Mention(
                    id=f"b{i}",
                    text="@acme my order never arrived",
                    created_at=now,
                    author=Author(id=f"u{i}", username=f"u{i}"),
                )
                d = Decision(
                    mention_id=m.id,
                    action=Action.RESPOND,
                    priority=Priority.P3,
                    due=now + timedelta(minutes=30),
                )
                store.save(m, d, now)
                cases.append(Case(mention=m, decision=d, stored_at=now))
            start = time.perf_counter()
            for case in cases:
                desk.watch_due(case)
            took = time.perf_counter() - start
            print(
                f"{n} cases armed in {took:.2f} s: {took / n * 1000:.2f} ms a case, "
                f"{n / took:,.0f} cases a second (one client, no pipelining across cases)"
            )
        finally:
            server.release()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
