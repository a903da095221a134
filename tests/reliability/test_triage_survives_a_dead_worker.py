"""A batch of mentions in the hands of a worker killed with kill -9 is triaged by the next one:
every mention marked seen reaches a decision, and the job is not left failed.

Real processes: `flare worker` as an operator runs it, killed mid-batch, and a fresh one.
"""

from __future__ import annotations

from pathlib import Path

import redis
from rq.registry import FailedJobRegistry, StartedJobRegistry

from flare import keys
from flare.queues import QueueName, queue
from flare.redis_server import EmbeddedRedis
from rules.playbook import default_playbook_path
from tests.builders import mention
from tests.reliability.processes import flare_env, kill_all, start_flare, stop
from tests.waiting import eventually
from workers.intake import Intake

BATCH = 3_000  # one job: long enough to be killed in the middle of
STARTED_WITHIN = 30.0
TAKEN_BACK_WITHIN = 60.0  # a fresh worker's start, the heartbeat running out, the retry


def test_a_batch_in_hand_when_its_worker_is_killed_is_triaged_by_the_next_worker(
    tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    env = flare_env(
        FLARE_REDIS_URL=redis_server.url,
        FLARE_DATA_DIR=str(tmp_path / "data"),
        FLARE_PLAYBOOK=str(default_playbook_path()),
        FLARE_BRAND__HANDLES="acme",
    )
    ids = [str(900_000 + n) for n in range(BATCH)]
    Intake(redis_client, batch_size=BATCH).take(
        [mention(id=i, text=f"@acme my order {i} never arrived", username=f"u{i}") for i in ids]
    )
    first = start_flare(["worker", "--queues", "triage"], env, tmp_path / "worker.log")
    started = StartedJobRegistry(queue=queue(redis_client, QueueName.TRIAGE))
    try:
        eventually(lambda: started.get_job_ids(cleanup=False), within=STARTED_WITHIN)
        kill_all(first)  # the batch is in its hands
        assert not all(redis_client.exists(keys.case(i)) for i in ids)

        second = start_flare(["worker", "--queues", "triage"], env, tmp_path / "worker.log")
        try:
            eventually(
                lambda: sum(redis_client.exists(keys.case(i)) for i in ids) == BATCH,
                within=STARTED_WITHIN + TAKEN_BACK_WITHIN,
            )
        finally:
            stop(second)
    finally:
        stop(first)
    assert FailedJobRegistry(queue=queue(redis_client, QueueName.TRIAGE)).count == 0
