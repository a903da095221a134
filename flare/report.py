"""A report of a time window, computed from the audit (and the case records it names)."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import redis

from flare import keys
from flare.audit import Audit, Entry

ANSWERS = ("reply", "dm")  # what answers the customer: the first of these is the first response
HANDLED = ("reply", "dm", "escalate", "resolve", "ignore")  # an agent handled the case
BREACH = "overdue"  # written by the check at a case's response target
INCIDENT = "incident:"  # an incident's entries are audited under "incident:<id>"
NO_TOPIC = "-"


@dataclass(frozen=True)
class CaseFacts:
    """What the audit does not say about a case: from its record, and its own audit stream."""

    priority: str | None
    topic: str | None
    posted_at: datetime
    due: datetime | None
    first_answer: datetime | None  # the first reply or DM in the case's own audit


@dataclass(frozen=True)
class Timing:
    """First-response times of one priority's cases answered in the window."""

    answered: int
    p50_minutes: float | None
    p90_minutes: float | None
    inside_target: int
    target_minutes: float | None  # the priority's target, as its cases carried it

    @property
    def share_inside(self) -> float | None:
        return self.inside_target / self.answered if self.answered else None


@dataclass(frozen=True)
class IncidentTime:
    id: str
    topic: str
    opened_at: datetime
    acknowledged_by: str | None
    minutes_to_acknowledge: float | None  # None: not acknowledged within the window


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    entries: int
    volume: dict[str, dict[str, int]]  # what → topic → count
    by_hour: dict[str, dict[str, int]]  # "YYYY-MM-DDTHH" → what → count
    first_response: dict[str, Timing]  # priority → timing
    breaches: dict[str, int]  # priority → overdue entries
    incidents: list[IncidentTime]
    handled: dict[str, int]  # agent → cases handled

    @property
    def breach_total(self) -> int:
        return sum(self.breaches.values())

    @property
    def answered(self) -> int:
        return sum(t.answered for t in self.first_response.values())

    @property
    def share_inside(self) -> float | None:
        inside = sum(t.inside_target for t in self.first_response.values())
        return inside / self.answered if self.answered else None


def percentile(values: Iterable[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `share` of them at or
    below it; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def build(
    entries: Iterable[Entry], cases: Mapping[str, CaseFacts], since: datetime, until: datetime
) -> Report:
    """The report of [since, until] from the audit entries of the window and the facts of the
    cases they name. Pure: the same entries and facts always give the same report."""
    window = [e for e in entries if since <= e.at <= until]
    volume: dict[str, Counter[str]] = defaultdict(Counter)
    by_hour: dict[str, Counter[str]] = defaultdict(Counter)
    breaches: Counter[str] = Counter()
    handled: dict[str, set[str]] = defaultdict(set)
    opened: dict[str, Entry] = {}
    acked: dict[str, Entry] = {}
    for e in window:
        facts = cases.get(e.case)
        topic = (facts.topic if facts else None) or e.detail.get("topic") or NO_TOPIC
        volume[e.what][topic] += 1
        by_hour[e.at.strftime("%Y-%m-%dT%H")][e.what] += 1
        if e.what == BREACH:
            breaches[_priority(facts)] += 1
        if e.what in HANDLED and e.who != "flare" and not e.case.startswith(INCIDENT):
            handled[e.who].add(e.case)
        if e.case.startswith(INCIDENT):
            if e.what in ("incident-open", "drill"):
                opened.setdefault(e.case, e)
            elif e.what == "acknowledge":
                acked.setdefault(e.case, e)
    answer_minutes: dict[str, list[float]] = defaultdict(list)
    inside: Counter[str] = Counter()
    targets: dict[str, list[float]] = defaultdict(list)
    for case_id in sorted({e.case for e in window}):
        facts = cases.get(case_id)
        if facts is None or facts.first_answer is None:
            continue
        if not since <= facts.first_answer <= until:
            continue  # answered first before the window (or after it)
        priority = _priority(facts)
        answer_minutes[priority].append(_minutes(facts.first_answer - facts.posted_at))
        if facts.due is not None:
            targets[priority].append(_minutes(facts.due - facts.posted_at))
            inside[priority] += facts.first_answer <= facts.due
    timing = {
        p: Timing(
            answered=len(times),
            p50_minutes=percentile(times, 0.5),
            p90_minutes=percentile(times, 0.9),
            inside_target=inside[p],
            target_minutes=percentile(targets[p], 0.5),
        )
        for p, times in sorted(answer_minutes.items())
    }
    incidents = [
        IncidentTime(
            id=case.removeprefix(INCIDENT),
            topic=open_.detail.get("topic", NO_TOPIC),
            opened_at=open_.at,
            acknowledged_by=acked[case].who if case in acked else None,
            minutes_to_acknowledge=_minutes(acked[case].at - open_.at) if case in acked else None,
        )
        for case, open_ in sorted(opened.items(), key=lambda kv: kv[1].at)
    ]
    return Report(
        since=since,
        until=until,
        entries=len(window),
        volume={what: dict(sorted(t.items())) for what, t in sorted(volume.items())},
        by_hour={hour: dict(sorted(w.items())) for hour, w in sorted(by_hour.items())},
        first_response=timing,
        breaches=dict(sorted(breaches.items())),
        incidents=incidents,
        handled={who: len(c) for who, c in sorted(handled.items(), key=lambda kv: -len(kv[1]))},
    )


def _priority(facts: CaseFacts | None) -> str:
    return (facts.priority if facts else None) or NO_TOPIC


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 2)


# Reading: the audit of the window, then the records of the cases it names --------------------
def gather(client: redis.Redis, since: datetime, until: datetime) -> Report:
    """Read the window's audit and the facts of its cases from Redis, and build the report."""
    entries = Audit(client).between(since, until)
    ids = sorted({e.case for e in entries if not e.case.startswith(INCIDENT)})
    answered = {e.case for e in entries if e.what in ANSWERS}
    return build(entries, case_facts(client, ids, answered), since, until)


def case_facts(
    client: redis.Redis, case_ids: list[str], answered: set[str] | None = None
) -> dict[str, CaseFacts]:
    """Each case's priority, topic, post time and target from its record; cases gone (expired,
    forgotten) are left out. The first answer matters only for the cases `answered` in the
    window (all, when not given): the case records it (`first_answered_at`); a case answered
    before it did has it read from its own audit stream."""
    pipe = client.pipeline(transaction=False)
    for cid in case_ids:
        pipe.hmget(keys.case(cid), "mention", "decision", "first_answered_at")
    records = pipe.execute() if case_ids else []
    first: dict[str, datetime] = {}
    unknown = [
        cid
        for cid, (_, _, recorded) in zip(case_ids, records, strict=True)
        if (answered is None or cid in answered) and not recorded
    ]
    pipe = client.pipeline(transaction=False)
    for cid in unknown:
        pipe.xrange(keys.case_audit(cid))
    for cid, stream in zip(unknown, pipe.execute() if unknown else [], strict=True):
        answers = [
            datetime.fromisoformat(f[b"at"].decode())
            for _, f in stream
            if f.get(b"what", b"").decode() in ANSWERS
        ]
        if answers:
            first[cid] = min(answers)
    facts: dict[str, CaseFacts] = {}
    for cid, (mention_raw, decision_raw, recorded) in zip(case_ids, records, strict=True):
        if not mention_raw or not decision_raw:
            continue
        mention, decision = json.loads(mention_raw), json.loads(decision_raw)
        due = decision.get("due")
        facts[cid] = CaseFacts(
            priority=decision.get("priority"),
            topic=decision.get("topic"),
            posted_at=datetime.fromisoformat(mention["created_at"]),
            due=datetime.fromisoformat(due) if due else None,
            first_answer=datetime.fromisoformat(recorded.decode()) if recorded else first.get(cid),
        )
    return facts


# Rendering as data: JSON and CSV rows ---------------------------------------------------------
def as_json(report: Report) -> dict[str, object]:
    """The report as plain JSON-ready data (times in ISO 8601, shares from 0 to 1)."""
    return {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "entries": report.entries,
        "volume": report.volume,
        "by_hour": report.by_hour,
        "first_response": {
            p: {**asdict(t), "share_inside": t.share_inside}
            for p, t in report.first_response.items()
        },
        "share_inside_target": report.share_inside,
        "breaches": report.breaches,
        "incidents": [
            {**asdict(i), "opened_at": i.opened_at.isoformat()} for i in report.incidents
        ],
        "handled": report.handled,
    }


def rows(report: Report) -> list[tuple[str, str, str, str]]:
    """The report as (section, group, key, value) rows: one CSV table for a spreadsheet."""
    out: list[tuple[str, str, str, str]] = [
        ("window", "", "since", report.since.isoformat()),
        ("window", "", "until", report.until.isoformat()),
        ("window", "", "entries", str(report.entries)),
    ]
    for what, topics in report.volume.items():
        out += [("volume", what, topic, str(n)) for topic, n in topics.items()]
    for p, t in report.first_response.items():
        out += [
            ("first_response", p, "answered", str(t.answered)),
            ("first_response", p, "p50_minutes", _number(t.p50_minutes)),
            ("first_response", p, "p90_minutes", _number(t.p90_minutes)),
            ("first_response", p, "inside_target", str(t.inside_target)),
            ("first_response", p, "share_inside", _number(t.share_inside)),
            ("first_response", p, "target_minutes", _number(t.target_minutes)),
        ]
    out += [("breaches", p, "overdue", str(n)) for p, n in report.breaches.items()]
    for i in report.incidents:
        out += [
            ("incident", i.id, "topic", i.topic),
            ("incident", i.id, "opened_at", i.opened_at.isoformat()),
            ("incident", i.id, "acknowledged_by", i.acknowledged_by or ""),
            ("incident", i.id, "minutes_to_acknowledge", _number(i.minutes_to_acknowledge)),
        ]
    out += [("handled", who, "cases", str(n)) for who, n in report.handled.items()]
    return out


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
