"""The audit trail: a case's own history, whole and in order, however busy the others have been."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis

from flare import keys
from flare.audit import Audit, Entry
from tests.builders import NOON


def test_a_case_keeps_its_whole_history_after_thousands_of_entries_on_other_cases(
    redis_client: redis.Redis,
) -> None:
    audit = Audit(redis_client)
    for n in range(1_200):
        audit.record(f"other-{n % 40}", "U1", "claim", at=NOON)

    audit.record("late", "U1", "claim", at=NOON + timedelta(minutes=1), until="13:00")
    audit.record("late", "U1", "release", at=NOON + timedelta(minutes=2))
    audit.record("late", "U2", "resolve", at=NOON + timedelta(minutes=3), reason="refunded")

    assert audit.of_case("late") == [
        Entry("late", "U1", "claim", NOON + timedelta(minutes=1), {"until": "13:00"}),
        Entry("late", "U1", "release", NOON + timedelta(minutes=2)),
        Entry("late", "U2", "resolve", NOON + timedelta(minutes=3), {"reason": "refunded"}),
    ]


def test_a_case_with_no_history_reads_as_empty(redis_client: redis.Redis) -> None:
    audit = Audit(redis_client)
    audit.record("one", "U1", "claim", at=NOON)

    assert audit.of_case("another") == []


def test_every_entry_also_joins_the_stream_of_all_cases(redis_client: redis.Redis) -> None:
    audit = Audit(redis_client)
    for n in range(5):
        audit.record(f"case-{n}", "U1", "claim", at=NOON + timedelta(minutes=n))

    assert [e.case for e in audit.recent(3)] == ["case-2", "case-3", "case-4"]
    assert redis_client.xlen(keys.audit()) == 5


def test_details_are_kept_as_text_and_the_time_defaults_to_the_clock(
    redis_client: redis.Redis,
) -> None:
    audit = Audit(redis_client, clock=lambda: NOON)

    audit.record("c1", "flare", "overdue", minutes=45, due=NOON)

    [entry] = audit.of_case("c1")
    assert entry.at == NOON
    assert entry.detail == {"minutes": "45", "due": NOON.isoformat()}


def test_a_detail_may_not_pose_as_the_case_it_is_about(redis_client: redis.Redis) -> None:
    with pytest.raises(ValueError, match="case"):
        Audit(redis_client).record("c1", "U1", "claim", case="c2")
