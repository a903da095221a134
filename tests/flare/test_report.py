"""The report: a scripted day's audit gives the numbers a lead would count by hand."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime, timedelta

import redis

from flare.audit import Audit
from flare.report import as_json, build, gather, percentile, rows
from flare.store import Store
from rules.decision import Priority
from tests.builders import NOON, decision, mention

DAY = NOON.replace(hour=0)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def script_a_day(client: redis.Redis) -> None:
    """Four cases and an incident, each action written to the audit at its own time."""
    store, audit = Store(client), Audit(client)
    for case_id, priority, posted, target, topic in (
        ("a", Priority.P1, at(9), 15, None),
        ("b", Priority.P3, at(10), 30, None),
        ("c", Priority.P3, at(11), 30, "delivery"),
        ("d", Priority.P3, at(8) - timedelta(days=1), 30, None),  # answered the day before
    ):
        m = mention(case_id, created_at=posted)
        due = posted + timedelta(minutes=target)
        store.save(m, decision(m, priority=priority, due=due, topic=topic), posted)
    audit.record("d", "U2", "reply", at=at(8, 10) - timedelta(days=1))
    for case_id, who, what, when in (
        ("a", "U1", "claim", at(9, 2)),
        ("a", "U1", "reply", at(9, 10)),  # 10 minutes: inside its 15
        ("a", "U1", "resolve", at(9, 20)),
        ("b", "flare", "overdue", at(10, 30)),
        ("b", "U2", "claim", at(10, 40)),
        ("b", "U2", "dm", at(10, 50)),  # 50 minutes: outside its 30
        ("b", "U2", "resolve", at(11)),
        ("c", "U1", "reply", at(11, 5)),  # 5 minutes
        ("c", "U1", "reply", at(11, 20)),  # a second answer is no first response
        ("d", "U2", "resolve", at(12)),
    ):
        audit.record(case_id, who, what, at=when)
    audit.record("incident:i1", "flare", "incident-open", at=at(13), topic="outage")
    audit.record("incident:i1", "U0PR", "acknowledge", at=at(13, 7), topic="outage")


def test_a_scripted_day_reports_what_its_audit_holds(redis_client: redis.Redis) -> None:
    script_a_day(redis_client)

    report = gather(redis_client, at(0), at(23, 59))

    p1, p3 = report.first_response["P1"], report.first_response["P3"]
    assert (p1.answered, p1.p50_minutes, p1.p90_minutes, p1.inside_target) == (1, 10, 10, 1)
    assert (p3.answered, p3.p50_minutes, p3.p90_minutes, p3.inside_target) == (2, 5, 50, 1)
    assert (p1.target_minutes, p3.target_minutes) == (15, 30)
    assert report.share_inside == 2 / 3
    assert report.breaches == {"P3": 1}
    assert report.handled == {"U1": 2, "U2": 2}
    [incident] = report.incidents
    assert (incident.topic, incident.acknowledged_by, incident.minutes_to_acknowledge) == (
        "outage",
        "U0PR",
        7,
    )
    assert report.volume["reply"] == {"-": 1, "delivery": 2}
    in_window = [e for e in Audit(redis_client).recent(1_000) if at(0) <= e.at <= at(23, 59)]
    assert report.entries == len(in_window) == 12
    by_what = {what: sum(topics.values()) for what, topics in report.volume.items()}
    assert by_what == Counter(e.what for e in in_window)
    assert sum(sum(w.values()) for w in report.by_hour.values()) == len(in_window)


def test_the_window_leaves_out_what_happened_before_it(redis_client: redis.Redis) -> None:
    script_a_day(redis_client)

    report = gather(redis_client, at(10, 45), at(23, 59))

    assert report.breaches == {}  # b went overdue at 10:30
    assert report.first_response["P3"].answered == 2  # b's DM at 10:50 and c's first reply
    assert "P1" not in report.first_response


def test_the_json_and_csv_forms_carry_the_same_numbers(redis_client: redis.Redis) -> None:
    script_a_day(redis_client)
    report = gather(redis_client, at(0), at(23, 59))

    data = as_json(report)
    table = list(csv.reader(io.StringIO("\n".join(",".join(r) for r in rows(report)))))

    assert data["breaches"] == {"P3": 1}
    assert ["breaches", "P3", "overdue", "1"] in table
    assert ["first_response", "P3", "p90_minutes", "50"] in table
    assert ["incident", "i1", "minutes_to_acknowledge", "7"] in table


def test_an_empty_window_is_an_empty_report() -> None:
    report = build([], {}, at(0), at(1))

    assert (report.entries, report.answered, report.share_inside) == (0, 0, None)


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([5, 50], 0.5) == 5
    assert percentile([5, 50], 0.9) == 50
    assert percentile(range(1, 11), 0.9) == 9
    assert percentile([], 0.5) is None
