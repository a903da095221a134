"""The listener's spool: mentions kept on disk come back once each, under the token they had."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from flare import keys
from rules.mention import Mention
from tests.builders import mention
from tests.workers.listening import queued_ids
from workers.intake import Intake
from workers.spool import SPOOL_FILE, Held, Spool


class Sink:
    """Takes batches as `Intake.submit_batch` does; refuses from the `fail_at`-th on."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.batches: list[tuple[list[str], str]] = []
        self.fail_at = fail_at

    def __call__(self, batch: list[Mention], token: str) -> None:
        if self.fail_at is not None and len(self.batches) + 1 >= self.fail_at:
            raise redis.ConnectionError("Redis is down")
        self.batches.append(([m.id for m in batch], token))


def test_kept_mentions_come_back_in_order_in_batches_and_the_spool_is_removed(
    tmp_path: Path,
) -> None:
    spool = Spool.in_dir(tmp_path)
    spool.keep([Held(mention("1"), "tried"), *(Held(mention(str(n))) for n in range(2, 7))], 2)
    sink = Sink()

    assert spool.hand_on(sink) == 6
    assert [ids for ids, _ in sink.batches] == [["1"], ["2", "3"], ["4", "5"], ["6"]]
    assert sink.batches[0][1] == "tried"  # the batch in flight keeps its token
    assert not (tmp_path / SPOOL_FILE).exists()
    assert spool.hand_on(sink) == 0  # nothing left to hand on twice


def test_a_hand_on_cut_short_goes_on_where_it_stopped_under_the_same_tokens(
    tmp_path: Path,
) -> None:
    spool = Spool.in_dir(tmp_path)
    spool.keep([Held(mention(str(n))) for n in range(6)], 2)
    first = Sink(fail_at=2)

    with pytest.raises(redis.ConnectionError):
        spool.hand_on(first)
    then = Sink()
    assert spool.hand_on(then) == 4

    assert [ids for ids, _ in first.batches + then.batches] == [["0", "1"], ["2", "3"], ["4", "5"]]
    assert len({token for _, token in first.batches + then.batches}) == 3


def test_a_line_cut_short_by_a_crash_is_skipped_and_the_rest_handed_on(tmp_path: Path) -> None:
    spool = Spool.in_dir(tmp_path)
    spool.keep([Held(mention("1")), Held(mention("2"))], 100)
    with (tmp_path / SPOOL_FILE).open("a") as handle:
        handle.write('{"token": "t", "mention": {"id": "3", "te')
    sink = Sink()

    assert spool.hand_on(sink) == 2
    assert [ids for ids, _ in sink.batches] == [["1", "2"]]


def test_a_mention_whose_attempt_left_its_dedupe_mark_is_still_triaged_from_the_spool(
    tmp_path: Path, redis_client: redis.Redis
) -> None:
    tried, untried = mention("1"), mention("2")
    redis_client.set(keys.seen(tried.id), "attempt-1")  # marked, then Redis went before the job
    spool = Spool.in_dir(tmp_path)
    spool.keep([Held(tried, "attempt-1"), Held(untried)], 100)

    assert spool.hand_on(Intake(redis_client).submit_batch) == 2
    assert queued_ids(redis_client) == {"1": 1, "2": 1}
