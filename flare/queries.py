"""Read-only views over Redis for the slash command and the App Home: a few round trips each."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import redis

from flare import keys
from flare.case import Case, CaseState
from flare.incidents import READS, Incident, incident_from, read_incident
from flare.store import Store
from rules.decision import Priority

LIVE = (CaseState.OPEN, CaseState.CLAIMED)
UNRANKED = Priority.P4  # a case that needs a person but has no priority waits with the P4s


def _score(moment: datetime) -> float:
    return moment.timestamp()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Queries:
    """Reads only: every method is one sorted-set range plus one pipeline of hash reads."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self.store = Store(client)

    def _live(self, low: str | float = "-inf", high: str | float = "+inf") -> list[Case]:
        """Open or claimed cases whose due time is in [low, high], soonest due first."""
        ids = [_text(i) for i in self.redis.zrangebyscore(keys.cases_by_due(), low, high)]
        return [c for c in self.store.get_many(ids) if c.state in LIVE]

    def open_by_priority(self) -> dict[Priority, list[Case]]:
        """Every open or claimed case, grouped P1 to P4, each group soonest due first."""
        grouped: dict[Priority, list[Case]] = {p: [] for p in Priority}
        for case in self._live():
            grouped[case.decision.priority or UNRANKED].append(case)
        return grouped

    def due_soon(self, now: datetime, within: timedelta = timedelta(minutes=15)) -> list[Case]:
        """Cases not yet overdue whose response target falls within the window."""
        return self._live(f"({_score(now)}", _score(now + within))

    def breached(self, now: datetime) -> list[Case]:
        """Cases whose response target has passed, most overdue first."""
        return self._live("-inf", _score(now))

    def claimed_by(self, user: str) -> list[Case]:
        """Cases whose lease this user holds now, soonest due first."""
        return [c for c in self._live() if c.state is CaseState.CLAIMED and c.claimed_by == user]

    def incidents(self) -> list[Incident]:
        """Open incidents from the topic index, the biggest first."""
        topics = sorted(_text(t) for t in self.redis.smembers(keys.incidents_open()))
        pipe = self.redis.pipeline()
        for topic in topics:
            read_incident(pipe, topic)
        replies = pipe.execute() if topics else []
        parts = [replies[i::READS] for i in range(READS)]
        read = (incident_from(*r) for r in zip(topics, *parts, strict=True))
        found = [i for i in read if i]  # an indexed topic may be gone: closed or expired
        return sorted(found, key=lambda i: (-i.count, i.opened_at))

    def incident_cases(self, topic: str, most: int = 10) -> list[Case]:
        """The latest cases counted on a topic's incident, newest first: findable and claimable
        there, since an incident's posts get no card each."""
        ids = [_text(i) for i in self.redis.lrange(keys.incident_cases(topic), 0, most - 1)]
        return Store(self.redis).get_many(ids)
