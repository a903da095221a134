"""`flare worker`: a lane that stops hands the moving of due jobs on at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import redis

from flare import keys
from flare.redis_server import EmbeddedRedis
from tests.waiting import eventually


def test_a_lane_told_to_stop_lets_go_of_the_scheduler_lock_as_it_exits(
    redis_client: redis.Redis, redis_server: EmbeddedRedis, tmp_path: Path
) -> None:
    """Else the next lane waits out the lock (seconds) before a due page step can move."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    env.update(FLARE_REDIS_URL=redis_server.url, FLARE_DATA_DIR=str(tmp_path / "data"))
    lane = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "worker", "--queues", "page"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        eventually(lambda: redis_client.exists(keys.scheduler_lock()) == 1, 60)
    finally:
        lane.send_signal(signal.SIGTERM)
        _, stderr = lane.communicate(timeout=30)

    assert lane.returncode == 0, stderr
    assert redis_client.exists(keys.scheduler_lock()) == 0
