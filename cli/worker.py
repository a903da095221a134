"""`flare worker`: RQ workers for every queue, with the scheduler."""

from __future__ import annotations

import time

import redis
from rq import SimpleWorker, Worker
from rq.registry import ScheduledJobRegistry
from rq.serializers import JSONSerializer

from flare.queues import all_queues

PUT_OFF = 2.0  # seconds: a job scheduled this soon waits for a moment, it is not a timer


class _BurstWorker(SimpleWorker):
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
        kind = _BurstWorker if burst else SimpleWorker
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
