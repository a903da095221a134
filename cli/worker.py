"""`flare worker`: a process per lane, each serving its queues, restarted if it dies."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Iterable
from datetime import datetime
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import TYPE_CHECKING

import redis
from rq import SimpleWorker, Worker
from rq.registry import ScheduledJobRegistry
from rq.serializers import JSONSerializer

from flare import logs
from flare.queues import QueueName, all_queues
from flare.settings import Settings
from workers.failures import FlareWorker

if TYPE_CHECKING:
    from workers.runtime import Runtime

log = logging.getLogger(__name__)

PUT_OFF = 2.0  # seconds: a job scheduled this soon waits for a moment, it is not a timer
STOP_GRACE = 60.0  # seconds a lane has to finish its job when asked to stop
RESTART_MOST = 30.0  # seconds: the longest wait before a lane that keeps dying is started again


def run_lane(
    settings: Settings,
    names: Iterable[QueueName],
    watch_parent: bool = False,
    built: Runtime | None = None,
) -> None:
    """Serve `names` in this process until asked to stop, moving due jobs when it holds the
    scheduler's lock: what each of `flare worker`'s processes runs. `built` is the runtime
    when the caller has one; a spawned lane builds its own."""
    from cli import wiring
    from flare.connection import connect
    from workers import runtime
    from workers.lane import Lane, lane_queues
    from workers.scheduler import Scheduler

    if watch_parent:
        os.setpgrp()  # Ctrl-C reaches `flare worker` alone, which stops its lanes in order
    logs.setup_for(settings)  # a spawned lane is a fresh interpreter
    try:
        rt = runtime.install(built or wiring.build_runtime(settings, connect(settings)))
        client = rt.redis
        scheduler = Scheduler(client, all_queues(client)).start()
        try:
            _schedule_the_daily_jobs(client, settings, rt.clock())
            lane = Lane(lane_queues(client, tuple(names)), client, watch_parent)
            lane.work(logging_level="WARNING")
        finally:
            scheduler.stop()
    except redis.ConnectionError as exc:
        if not watch_parent:
            raise  # `flare worker --queues` alone: the command says it (cli.main.main)
        log.error("lane %s: Redis can't be reached: %s", ", ".join(names), exc)
        raise SystemExit(3) from None  # `flare worker` starts it again, and says so


def _schedule_the_daily_jobs(client: redis.Redis, settings: Settings, now: datetime) -> None:
    """The digest and the retention sweep: scheduled once by whichever lane starts first."""
    from workers import digest, retention

    try:
        digest.schedule(client, settings, digest.next_day(now, settings))
        retention.schedule(client, retention.first_day(now))
    except redis.RedisError as exc:  # the next lane to start schedules them
        log.warning("could not schedule the daily digest and retention sweep: %s", exc)


def run_lanes(settings: Settings, lanes: dict[str, tuple[QueueName, ...]]) -> int:
    """Start a process per lane and keep each one running until SIGTERM or SIGINT; then ask each
    to finish its job and stop. A lane that dies is started again, waiting longer each time
    it dies young. Returns the exit status: 0 when every lane stopped cleanly."""
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads forked
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start(name: str) -> BaseProcess:
        process = spawn.Process(
            target=run_lane, args=(settings, lanes[name], True), name=f"flare-{name}"
        )
        process.start()
        return process

    running = {name: start(name) for name in lanes}
    born = {name: time.monotonic() for name in lanes}
    wait = {name: 1.0 for name in lanes}
    while not stopping:
        time.sleep(0.5)
        for name, process in list(running.items()):
            if process.is_alive() or stopping:
                continue
            young = time.monotonic() - born[name] < RESTART_MOST
            wait[name] = min(RESTART_MOST, wait[name] * 2) if young else 1.0
            log.error(
                "lane %s (queues %s) ended with status %s; starting it again in %.0f s",
                name,
                ", ".join(lanes[name]),
                process.exitcode,
                wait[name],
            )
            deadline = time.monotonic() + wait[name]
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
            if not stopping:
                running[name], born[name] = start(name), time.monotonic()
    for process in running.values():
        if process.is_alive() and process.pid is not None:
            process.terminate()  # SIGTERM: RQ finishes the job in hand, then stops
    status = 0
    for process in running.values():
        process.join(STOP_GRACE)
        if process.is_alive():
            process.kill()
            process.join()
            status = 1
        elif process.exitcode not in (0, None):
            status = 1
    return status


class _BurstWorker(FlareWorker):
    """A worker that runs what is queued and stops (the demo, tests): it takes no commands over
    pub/sub, whose listener thread can hold up the worker's exit by up to a minute."""

    def subscribe(self) -> None:
        return None


def run_workers(client: redis.Redis, burst: bool = False, fork: bool = True) -> bool:
    """Work every queue (act, notify, triage, in that order) until stopped, or until empty in burst.

    `fork=False` runs jobs in this process (faster, used by the demo); the default forks a
    work horse per job so a crashing job cannot take the worker down.
    """
    queues = all_queues(client)
    if fork:
        worker: Worker | SimpleWorker = Worker(queues, connection=client, serializer=JSONSerializer)
    else:
        kind = _BurstWorker if burst else FlareWorker
        worker = kind(queues, connection=client, serializer=JSONSerializer)
    return bool(worker.work(burst=burst, with_scheduler=True, logging_level="WARNING"))


def run_until_done(client: redis.Redis, within: float = 60.0) -> None:
    """Run what is queued in this process, and what puts itself off for a moment (a post waiting
    for its channel's send budget, a redraw waiting out its gap), until only timers further off
    are left (response targets, lease ends): what `flare demo` and the tests need."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if any(q.count for q in all_queues(client)):
            run_workers(client, burst=True, fork=False)
        if not _queue_put_off(client):
            return
    raise TimeoutError(f"jobs still putting themselves off after {within:.0f} s")


def _queue_put_off(client: redis.Redis) -> bool:
    """Queue the jobs scheduled for the next moment, once it comes; False if there are none."""
    found = False
    for q in all_queues(client):
        scheduled = ScheduledJobRegistry(queue=q)
        soon = time.time() + PUT_OFF
        for raw, at in client.zrangebyscore(scheduled.key, 0, soon, withscores=True):
            # RQ keeps whole seconds: wait a little, so a send budget has its slot by then
            time.sleep(min(PUT_OFF, max(0.02, at - time.time())))
            job = q.fetch_job(raw.decode())
            scheduled.remove(raw.decode())
            if job is not None:
                q.enqueue_job(job)
                found = True
    return found
