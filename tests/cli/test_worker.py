"""`flare worker`: a lane that stops hands the moving of due jobs on at once."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import redis

from flare import keys
from flare.redis_server import EmbeddedRedis
from tests.cli.lanes import start_page_lane
from tests.waiting import eventually


def test_a_lane_told_to_stop_lets_go_of_the_scheduler_lock_as_it_exits(
    redis_client: redis.Redis, redis_server: EmbeddedRedis, tmp_path: Path
) -> None:
    """Else the next lane waits out the lock (seconds) before a due page step can move."""
    lane, _ = start_page_lane(redis_server, tmp_path, stderr=subprocess.PIPE)
    try:
        eventually(lambda: redis_client.exists(keys.scheduler_lock()) == 1, 60)
    finally:
        lane.send_signal(signal.SIGTERM)
        _, stderr = lane.communicate(timeout=30)

    assert lane.returncode == 0, stderr
    assert redis_client.exists(keys.scheduler_lock()) == 0
