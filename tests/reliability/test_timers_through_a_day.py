"""A scripted day of response targets in accelerated time, with real worker processes that are
killed mid-post and a Redis that is restarted: every timer fires once, none is lost.

The clock is passed in (tests/reliability/clockwork.py): `flare worker`'s lanes read it from a
file the test moves on, and the test moves the jobs that fall due by it, as the scheduler would
once that time came. Slack is the stand-in, which records every post.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from datetime import timedelta
from multiprocessing.process import BaseProcess
from pathlib import Path

import pytest
import redis
from pydantic import SecretStr
from rq.registry import ScheduledJobRegistry

from cli import wiring
from cli.standin import Call, SlackStandIn
from flare.outcome import Actor
from flare.queues import all_queues
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from flare.store import Store
from tests.builders import mention
from tests.conftest import SIGNING_SECRET
from tests.reliability.clockwork import FileClock, serve
from tests.reliability.processes import family
from tests.waiting import eventually
from workers.intake import Intake

AGENT, LEAD = "U0AGENT1", "U0LEAD"
STARTED_WITHIN = 40.0  # seconds a fresh worker process may take to start here
TAKEN_BACK_WITHIN = 60.0  # seconds before a job whose worker died is run again


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis for this test alone (AOF on, as Flare starts it), so it can be restarted."""
    server = EmbeddedRedis(tmp_path / "redis")
    server.acquire()
    yield server
    server.shutdown()


@pytest.fixture
def clock(tmp_path: Path) -> FileClock:
    path = tmp_path / "clock"
    path.write_text("0")
    return FileClock(path)


@pytest.fixture
def day_settings(tmp_path: Path, own_redis: EmbeddedRedis, fake_slack: SlackStandIn) -> Settings:
    return Settings(
        redis_url=own_redis.url,
        data_dir=tmp_path / "data",
        brand={"handles": ("acme",)},
        slack={
            "bot_token": SecretStr("xoxb-test"),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.base_url,
            "alerts_channel": "C0ALERTS",
            "pr_channel": "C0PR",
            "leads": (LEAD,),
            "redraw_gap_ms": 0,
        },
    )


class Workers:
    """`flare worker` lanes in processes of their own, killed as a host dies."""

    def __init__(self, settings: Settings, clock: FileClock) -> None:
        self.settings, self.clock = settings, clock
        self.running: list[BaseProcess] = []

    def start(self) -> None:
        spawn = multiprocessing.get_context("spawn")
        process = spawn.Process(target=serve, args=(self.settings, self.clock.path))
        process.start()
        self.running.append(process)

    def kill(self) -> None:
        """kill -9, the process and all it started, at once."""
        for process in self.running:
            if process.pid is not None and process.is_alive():
                for pid in family(process.pid):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            process.join(10)
        self.running.clear()

    def stop(self) -> None:
        for process in self.running:
            process.terminate()
            process.join(30)
        self.running.clear()


@pytest.fixture
def workers(day_settings: Settings, clock: FileClock) -> Iterator[Workers]:
    started = Workers(day_settings, clock)
    yield started
    started.stop()


def time_passes(client: redis.Redis, clock: FileClock, minutes: float) -> None:
    """Move the clock on, and queue what falls due by it, as the scheduler would at that time.
    Only jobs scheduled by the moved clock: what waits a real moment is the worker's to move."""
    clock.move_on(timedelta(minutes=minutes))
    now = clock().timestamp()
    real = now - float(clock.path.read_text())
    for q in all_queues(client):
        registry = ScheduledJobRegistry(queue=q)
        for raw in client.zrangebyscore(registry.key, real + 60, now):
            job = q.fetch_job(raw.decode())
            if registry.remove(raw.decode()) and job is not None:
                q.enqueue_job(job)


def thread_of(slack: SlackStandIn, store: Store, case_id: str) -> list[str]:
    where = store.card(case_id)
    assert where is not None, f"{case_id} has no card"
    return [
        m["text"]
        for (channel, _), m in sorted(slack.messages.items(), key=lambda kv: float(kv[0][1]))
        if channel == where[0] and m.get("thread_ts") == where[1]
    ]


def said(slack: SlackStandIn, store: Store, case_id: str, start: str) -> list[str]:
    return [line for line in thread_of(slack, store, case_id) if line.startswith(start)]


def audited(store: Store, case_id: str) -> list[str]:
    return [e.what for e in store.trail.of_case(case_id)]


REMINDER, OVERDUE, STILL = "⏳ Nobody holds", "⏰ Overdue", "⏰ Still unanswered"


def test_a_day_of_timers_fires_each_once_across_a_killed_worker_and_a_redis_restart(
    own_redis: EmbeddedRedis,
    day_settings: Settings,
    clock: FileClock,
    fake_slack: SlackStandIn,
    workers: Workers,
) -> None:
    client = redis.Redis.from_url(own_redis.url)
    desk = wiring.build_runtime(day_settings, client, clock=clock).casework
    store = desk.store
    workers.start()

    # 09:00 four complaints come in: P3, a 30-minute target, reminded at 15, chain step at 45
    cases = {"alone": "7001", "lapses": "7002", "snoozed": "7003", "acked": "7004"}
    Intake(client).take(
        [mention(id=cid, created_at=clock(), username=name) for name, cid in cases.items()]
    )
    eventually(lambda: all(store.card(cid) for cid in cases.values()), within=STARTED_WITHIN)
    alone, lapses, snoozed, acked = cases.values()

    time_passes(client, clock, 1)
    assert desk.claim(lapses, Actor(AGENT)).ok  # a 30-minute lease: it ends at 09:31
    time_passes(client, clock, 4)
    assert desk.snooze(snoozed, Actor(AGENT)).ok  # its reminder moves from 09:15 to 09:20

    time_passes(client, clock, 11)  # 09:16
    eventually(lambda: said(fake_slack, store, alone, REMINDER), within=20)
    eventually(lambda: said(fake_slack, store, acked, REMINDER), within=20)

    workers.kill()  # the host dies, and Redis is restarted with what its AOF holds
    own_redis.shutdown()
    own_redis.acquire()
    client = redis.Redis.from_url(own_redis.url)
    desk = wiring.build_runtime(day_settings, client, clock=clock).casework
    store = desk.store
    workers.start()

    time_passes(client, clock, 5)  # 09:21: the snoozed reminder, and only that one
    eventually(lambda: said(fake_slack, store, snoozed, REMINDER), within=STARTED_WITHIN)
    assert desk.close(snoozed, Actor(AGENT), "resolved with the customer").ok

    # 09:31 the targets pass; the worker dies while Slack holds the answer to a breach line
    held, release = threading.Event(), threading.Event()

    def hold_one_overdue_line(call: Call) -> None:
        line = call.method == "chat.postMessage" and str(call.args.get("text", ""))
        if line and line.startswith(OVERDUE) and not held.is_set():
            held.set()
            release.wait(30)  # Slack took the line; its answer never reaches the dead worker

    fake_slack.on_call = hold_one_overdue_line
    try:
        time_passes(client, clock, 10)
        assert held.wait(20)
        workers.kill()
        workers.start()
        for cid in (alone, lapses, acked):
            eventually(lambda c=cid: said(fake_slack, store, c, OVERDUE), within=TAKEN_BACK_WITHIN)
    finally:
        release.set()
        fake_slack.on_call = None
    eventually(lambda: "lease_expired" in audited(store, lapses), within=20)

    time_passes(client, clock, 4)  # 09:35: someone is on the acked case
    assert desk.acknowledge(acked, Actor(LEAD)).ok

    time_passes(client, clock, 11)  # 09:46: the chain's step tells the leads again
    eventually(lambda: said(fake_slack, store, alone, STILL), within=20)
    eventually(lambda: said(fake_slack, store, lapses, STILL), within=20)
    time_passes(client, clock, 120)  # the rest of the day: nothing is left to fire
    _settle(client)

    assert [len(said(fake_slack, store, alone, p)) for p in (REMINDER, OVERDUE, STILL)] == [1, 1, 1]
    assert [len(said(fake_slack, store, lapses, p)) for p in (REMINDER, OVERDUE, STILL)] == [
        0,
        1,
        1,
    ]
    assert [len(said(fake_slack, store, snoozed, p)) for p in (REMINDER, OVERDUE, STILL)] == [
        1,
        0,
        0,
    ]
    assert [len(said(fake_slack, store, acked, p)) for p in (REMINDER, OVERDUE, STILL)] == [1, 1, 0]
    assert audited(store, alone) == ["reminded", "overdue", "still_overdue"]
    assert audited(store, lapses) == ["claim", "overdue", "lease_expired", "still_overdue"]
    assert audited(store, snoozed) == ["snoozed", "reminded", "resolve"]
    assert audited(store, acked) == ["reminded", "overdue", "acknowledged"]
    lapsed = thread_of(fake_slack, store, lapses)
    assert any(line.startswith("⌛ <@U0AGENT1>'s claim ran out at") for line in lapsed)
    assert "claim ran out" in str(fake_slack.messages[store.card(lapses)])  # type: ignore[index]


def _settle(client: redis.Redis, within: float = 30.0) -> None:
    """Wait until the queues are empty and no job is running."""

    def idle() -> bool:
        return all(q.count == 0 and q.started_job_registry.count == 0 for q in all_queues(client))

    eventually(idle, within=within)
