"""A `flare worker` lane started as its own process, as a host would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flare.redis_server import EmbeddedRedis


def start_page_lane(
    redis_server: EmbeddedRedis, tmp_path: Path, stderr: int = subprocess.DEVNULL
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`flare worker --queues page` against the test's Redis; the process and its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    env.update(FLARE_REDIS_URL=redis_server.url, FLARE_DATA_DIR=str(tmp_path / "data"))
    lane = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "worker", "--queues", "page"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
    )
    return lane, env
