"""Running the RQ workers for every queue, with the scheduler."""

from __future__ import annotations

import redis
from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from flare.queues import all_queues


def run_workers(client: redis.Redis, burst: bool = False, fork: bool = True) -> bool:
    """Work every queue (act, notify, triage, in that order) until stopped, or until empty in burst.

    `fork=False` runs jobs in this process (faster, used by the demo); the default forks a
    work horse per job so a crashing job cannot take the worker down.
    """
    worker_class = Worker if fork else SimpleWorker
    worker = worker_class(all_queues(client), connection=client, serializer=JSONSerializer)
    return bool(worker.work(burst=burst, with_scheduler=True, logging_level="WARNING"))
