"""The batcher: batches by size or time, blocks producers when full, keeps a batch Redis refused."""

from __future__ import annotations

import threading

import redis

from flare import keys
from rules.mention import Mention
from tests.builders import mention
from tests.waiting import eventually
from tests.workers.listening import queued
from workers.batcher import Batcher, retry_delays
from workers.intake import Intake, IntakeReport


class Recorder:
    """A sink that records batches; it can be told to fail, or to hold until released."""

    def __init__(self, failures: int = 0) -> None:
        self.batches: list[list[str]] = []
        self.tokens: list[str] = []
        self.failures = failures
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, batch: list[Mention], token: str) -> IntakeReport:
        self.gate.wait()
        self.tokens.append(token)
        if self.failures:
            self.failures -= 1
            raise redis.ConnectionError("Redis is down")
        self.batches.append([m.id for m in batch])
        return IntakeReport(new=len(batch))


def test_a_full_batch_goes_at_once_without_waiting_for_the_timer() -> None:
    sink = Recorder()
    batcher = Batcher(sink, size=3, wait=3600).start()

    batcher.put_many(mention(id=str(n)) for n in range(7))

    eventually(lambda: sink.batches == [["0", "1", "2"], ["3", "4", "5"]])
    assert batcher.flush(timeout=5)
    assert sink.batches[-1] == ["6"]
    batcher.close()


def test_a_part_batch_goes_when_its_oldest_mention_has_waited_long_enough() -> None:
    sink = Recorder()
    batcher = Batcher(sink, size=100, wait=0.02).start()

    batcher.put(mention(id="1"))

    eventually(lambda: sink.batches == [["1"]])
    batcher.close()


def test_a_full_queue_blocks_the_producer_until_there_is_room() -> None:
    sink = Recorder()
    sink.gate.clear()  # Redis is slow: nothing is handed on yet
    batcher = Batcher(sink, size=2, wait=0, capacity=4).start()
    done = threading.Event()

    def produce() -> None:
        batcher.put_many(mention(id=str(n)) for n in range(10))
        done.set()

    threading.Thread(target=produce, daemon=True).start()
    eventually(lambda: batcher.waiting == 4)
    assert not done.is_set()

    sink.gate.set()
    eventually(done.is_set)
    assert batcher.flush(timeout=5)
    assert [i for b in sink.batches for i in b] == [str(n) for n in range(10)]
    batcher.close()


def test_a_batch_redis_refuses_is_kept_and_tried_again_with_the_same_token() -> None:
    sink = Recorder(failures=2)
    batcher = Batcher(sink, size=10, wait=0, retry_first=0.001, retry_max=0.01).start()

    batcher.put_many([mention(id="1"), mention(id="2")])

    assert batcher.flush(timeout=5)
    assert sink.batches == [["1", "2"]]
    assert len(set(sink.tokens)) == 1 and len(sink.tokens) == 3
    assert batcher.stats.retries == 2
    batcher.close()


def test_retry_delays_double_up_to_a_ceiling() -> None:
    delays = retry_delays(0.1, 0.5)

    assert [next(delays) for _ in range(5)] == [0.1, 0.2, 0.4, 0.5, 0.5]


def test_a_retried_batch_is_queued_once_even_if_its_first_attempt_marked_it_seen(
    redis_client: redis.Redis,
) -> None:
    intake = Intake(redis_client)
    batch = [mention(id="1"), mention(id="2")]
    redis_client.set(keys.seen("1"), "t-1")  # an attempt marked "1" seen, then Redis went away

    report = intake.submit_batch(batch, token="t-1")

    assert [m["id"] for m in queued(redis_client)] == ["1", "2"]
    assert (report.new, report.duplicates) == (2, 0)
    again = intake.submit_batch(batch, token="t-2")
    assert (again.new, again.duplicates) == (0, 2)


def test_an_edited_post_is_the_same_post(redis_client: redis.Redis) -> None:
    original = mention(id="100", edit_history_ids=("100",))
    edit = mention(id="101", text="@acme fixed typo", edit_history_ids=("100", "101"))
    intake = Intake(redis_client)

    first, second = intake.take([original]), intake.take([edit])

    assert (first.new, second.duplicates) == (1, 1)
    assert [m["id"] for m in queued(redis_client)] == ["100"]


def test_a_post_and_its_edit_in_one_batch_are_queued_once(redis_client: redis.Redis) -> None:
    original = mention(id="100", edit_history_ids=("100",))
    edit = mention(id="101", edit_history_ids=("100", "101"))

    report = Intake(redis_client).take([original, edit])

    assert (report.new, report.duplicates) == (1, 1)


def test_closing_while_redis_is_down_stops_the_handing_thread_and_keeps_the_count() -> None:
    sink = Recorder(failures=1_000)
    batcher = Batcher(sink, size=10, wait=0, retry_first=30, retry_max=30).start()
    batcher.put(mention(id="1"))
    eventually(lambda: sink.tokens)  # the first attempt failed: the next is 30 s away

    assert not batcher.close(timeout=0.1)

    assert batcher._thread is not None and not batcher._thread.is_alive()
    assert batcher.waiting == 1 and sink.batches == []
