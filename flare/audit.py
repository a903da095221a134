"""The audit trail: who did what to which case and when, kept per case and in one stream for all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis

from flare import keys
from flare.time import Clock, utcnow

ALL_KEPT = 100_000  # the stream of every action, for metrics and reports: the newest, roughly
CASE_KEPT = 1_000  # one case's own stream: far more than a case sees; a runaway loop stops here
_FIELDS = ("case", "who", "what", "at")


@dataclass(frozen=True)
class Entry:
    """One action on a case: who (a Slack user id, or "flare"), what, when, and its details."""

    case: str
    who: str
    what: str
    at: datetime
    detail: dict[str, str] = field(default_factory=dict)


class Audit:
    """Writes each action to the case's stream and the stream of all in one MULTI; reads them."""

    def __init__(self, client: redis.Redis, clock: Clock = utcnow) -> None:
        self.redis = client
        self.clock = clock

    def record(
        self, case_id: str, who: str, what: str, at: datetime | None = None, **detail: Any
    ) -> None:
        """Write one action to the case's stream and to the stream of all, in one MULTI."""
        if "case" in detail:
            raise ValueError("an audit detail can't be called `case`: that names the case")
        fields = {"case": case_id, "who": who, "what": what, "at": (at or self.clock()).isoformat()}
        fields.update({name: _text(value) for name, value in detail.items()})
        pipe = self.redis.pipeline(transaction=True)
        pipe.xadd(keys.audit(), fields, maxlen=ALL_KEPT, approximate=True)
        pipe.xadd(keys.case_audit(case_id), fields, maxlen=CASE_KEPT, approximate=True)
        pipe.hincrby(keys.audit_counts(), what, 1)
        pipe.execute()

    def of_case(self, case_id: str) -> list[Entry]:
        """Everything done to one case, oldest first (empty when there is no such case)."""
        return [_entry(fields) for _, fields in self.redis.xrange(keys.case_audit(case_id))]

    def recent(self, count: int) -> list[Entry]:
        """The newest `count` actions on any case, oldest first."""
        newest_first = self.redis.xrevrange(keys.audit(), count=count)
        return [_entry(fields) for _, fields in reversed(newest_first)]

    def between(self, since: datetime, until: datetime) -> list[Entry]:
        """Every action whose time is in [since, until], oldest first, read from the stream of
        all (so no older than its newest 100,000 entries)."""
        return [e for _, e in self.entries(since) if since <= e.at <= until]

    def entries(
        self, since: datetime | None = None, chunk: int = 5_000
    ) -> Iterator[tuple[str, Entry]]:
        """(stream id, entry) of the stream of all from about `since` on (an hour early: an
        entry's id is when it was written, its `at` may be a little earlier), in chunks."""
        start = "-" if since is None else f"{max(0, int(since.timestamp() * 1000) - 3_600_000)}-0"
        while True:
            batch = self.redis.xrange(keys.audit(), min=start, max="+", count=chunk)
            for raw_id, fields in batch:
                yield raw_id.decode(), _entry(fields)
            if len(batch) < chunk:
                return
            start = "(" + batch[-1][0].decode()


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _entry(raw: dict[bytes, bytes]) -> Entry:
    fields = {name.decode(): value.decode() for name, value in raw.items()}
    return Entry(
        case=fields["case"],
        who=fields["who"],
        what=fields["what"],
        at=datetime.fromisoformat(fields["at"]),
        detail={name: value for name, value in fields.items() if name not in _FIELDS},
    )
