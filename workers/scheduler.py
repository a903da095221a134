"""The scheduler: moves jobs whose time has come onto their queues, one process at a time."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid

import redis
from rq import Queue
from rq.job import Job as RqJob
from rq.registry import ScheduledJobRegistry

from flare import keys
from flare.defaults import SCHEDULER_LOCK_MS, SCHEDULER_TICK

log = logging.getLogger(__name__)

# KEYS[1] the lock; ARGV[1] this scheduler's token, ARGV[2] the lock's life in ms.
# Takes the lock when it is free, keeps it when this scheduler holds it; 1 when held.
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

# KEYS[1] the lock; ARGV[1] this scheduler's token. Frees the lock if this scheduler holds it.
_LET_GO = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Scheduler:
    """Every worker process runs one; the one holding the lock moves what is due.

    RQ's own scheduler holds its lock for a minute and is retaken only at a worker's maintenance,
    so after a whole worker host dies a scheduled page step could wait minutes. This lock lives
    SCHEDULER_LOCK_MS and is renewed on every tick, so a live process takes over within seconds.
    """

    def __init__(self, client: redis.Redis, queues: list[Queue]) -> None:
        self.redis = client
        self.queues = queues
        self.token = uuid.uuid4().hex
        self._hold = client.register_script(_HOLD)
        self._let_go = client.register_script(_LET_GO)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def holds_lock(self) -> bool:
        return bool(self._hold(keys=[keys.scheduler_lock()], args=[self.token, SCHEDULER_LOCK_MS]))

    def tick(self, now: float | None = None) -> int:
        """Move every job due by `now` onto its queue, if this scheduler holds the lock."""
        if not self.holds_lock():
            return 0
        now = time.time() if now is None else now
        moved = 0
        for queue in self.queues:
            registry = ScheduledJobRegistry(queue=queue)
            due = [raw.decode() for raw in self.redis.zrangebyscore(registry.key, 0, now)]
            if not due:
                continue
            jobs = RqJob.fetch_many(due, connection=self.redis, serializer=queue.serializer)
            with self.redis.pipeline() as pipe:  # MULTI/EXEC: queued and unscheduled together
                for job_id, job in zip(due, jobs, strict=True):
                    if job is not None:
                        queue._enqueue_job(
                            job, pipeline=pipe, at_front=job.should_enqueue_at_front()
                        )
                        moved += 1
                    registry.remove(job_id, pipeline=pipe)
                pipe.execute()
        return moved

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self._run, name="flare-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with contextlib.suppress(redis.RedisError):  # else the lock runs out by itself
            self._let_go(keys=[keys.scheduler_lock()], args=[self.token])

    def _run(self) -> None:
        while not self._stop.wait(SCHEDULER_TICK):
            try:
                self.tick()
            except redis.RedisError as exc:
                log.warning("scheduler: Redis unavailable (%s); trying again", exc)
                self._stop.wait(1.0)
            except Exception:
                log.exception("scheduler: could not move due jobs; trying again")
                self._stop.wait(1.0)
