"""A lane: a worker process serving some queues in itself, whose dead peers' jobs it takes back."""

from __future__ import annotations

import logging
import os
import threading
import time

import redis
from rq import Queue
from rq.executions import Execution, ExecutionRegistry
from rq.job import Job as RqJob
from rq.registry import clean_registries
from rq.serializers import JSONSerializer
from rq.utils import now
from rq.worker import WorkerStatus
from rq.worker_registration import clean_worker_registry

from flare.defaults import JOB_HEARTBEAT_EVERY, JOB_HEARTBEAT_TTL, MAINTENANCE_EVERY, WORKER_POLL
from flare.queues import QueueName, queue
from workers.failures import FlareWorker

log = logging.getLogger(__name__)

# How `flare worker` splits the queues between its processes, so that none can hold up another:
# a page never waits behind a card, and triage never waits behind chat's send budget.
LANES: dict[str, tuple[QueueName, ...]] = {
    "pages": (QueueName.PAGE,),
    "chat": (QueueName.ACT, QueueName.NOTIFY),
    "triage": (QueueName.URGENT, QueueName.TRIAGE),
}


class Lane(FlareWorker):
    """Runs jobs in this process: the engine, playbook and clients are built once, not per job.

    While a job runs a thread beats its heart every JOB_HEARTBEAT_EVERY seconds, so it counts as
    running for JOB_HEARTBEAT_TTL after the last beat. Every MAINTENANCE_EVERY seconds the lane
    takes back the jobs whose beats stopped (their process died: kill -9, a lost container)
    and queues them again, retries permitting. RQ's defaults take minutes for that.
    Job timeouts still hold: RQ's alarm interrupts a job that runs past its timeout.
    """

    def __init__(self, queues: list[Queue], connection: redis.Redis, watch_parent: bool) -> None:
        super().__init__(
            queues,
            connection=connection,
            serializer=JSONSerializer,
            worker_ttl=WORKER_POLL + 15,  # RQ waits on the queues worker_ttl - 15 seconds
            maintenance_interval=MAINTENANCE_EVERY,
        )
        self.parent = os.getppid() if watch_parent else None

    def subscribe(self) -> None:
        """No commands over pub/sub (`rq shutdown`, `rq kill-horse`): its listener thread holds
        up a stopping lane for up to a minute, and SIGTERM does what Flare needs."""
        return None

    def get_heartbeat_ttl(self, job: RqJob, working_time: float = 0.0) -> int:
        return JOB_HEARTBEAT_TTL

    def execute_job(self, job: RqJob, queue: Queue) -> None:
        execution = self.prepare_execution(job)
        beating = _Heartbeat(self, job, execution)
        beating.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            beating.stop()
        self.set_state(WorkerStatus.IDLE)

    def run_maintenance_tasks(self) -> None:
        if self.parent is not None and os.getppid() != self.parent:
            log.warning("lane %s: its `flare worker` is gone; stopping", self.name)
            self._stop_requested = True
        super().run_maintenance_tasks()

    def clean_registries(self) -> None:
        """Take back abandoned jobs; each queue is cleaned by one lane at a time, under a lock
        short enough that a lane killed while holding it holds nobody up for long."""
        for q in self.queues:
            if self.connection.set(q.registry_cleaning_key, 1, nx=True, ex=MAINTENANCE_EVERY * 5):
                try:
                    _forget_dead_executions(q)
                    clean_registries(q, self._exc_handlers)
                    clean_worker_registry(q)
                    q.intermediate_queue.cleanup(self, q)
                finally:
                    q.release_maintenance_lock()
        self.last_cleaned_at = now()  # type: ignore[assignment]


class _Heartbeat:
    """Keeps a running job's execution alive in RQ's registries until it ends."""

    def __init__(self, lane: Lane, job: RqJob, execution: Execution) -> None:
        self.lane, self.job, self.execution = lane, job, execution
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flare-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._done.wait(JOB_HEARTBEAT_EVERY):
            try:
                self.lane.maintain_heartbeats(self.job, self.execution)
            except redis.RedisError as exc:  # the job's own calls will meet the outage too
                log.warning("job %s: heartbeat failed: %s", self.job.id, exc)


def _forget_dead_executions(q: Queue) -> None:
    """Drop the executions whose heartbeats stopped from their jobs' own registries before the
    jobs are taken back. RQ keeps them there a minute longer than the executions themselves,
    and a job taken back sooner would fail at its end looking one up."""
    registry = q.started_job_registry
    for composite in q.connection.zrangebyscore(registry.key, 0, time.time()):
        job_id, _, execution_id = composite.decode().rpartition(":")
        if job_id:
            q.connection.zrem(ExecutionRegistry(job_id, q.connection).key, execution_id)


def lane_queues(client: redis.Redis, names: tuple[QueueName, ...]) -> list[Queue]:
    return [queue(client, name) for name in names]
