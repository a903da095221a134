"""An accelerated clock that real worker processes share: the time now, moved on by a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flare.queues import WORK_ORDER
from flare.settings import Settings


@dataclass
class FileClock:
    """The real time plus the seconds written in `path`, which the test moves on; every process
    reading the same file reads the same time."""

    path: Path

    def __call__(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=float(self.path.read_text() or 0))

    def move_on(self, by: timedelta) -> None:
        ahead = float(self.path.read_text() or 0) + by.total_seconds()
        self.path.write_text(str(ahead))


def serve(settings: Settings, clock_path: Path) -> None:
    """One `flare worker` lane serving every queue, its jobs reading the file's clock: what a
    spawned process runs. RQ's scheduler in it moves what falls due by the real time (a post
    waiting for its channel's slot); the test moves what falls due by the file's."""
    from cli import wiring
    from cli.worker import run_lane
    from flare.connection import connect

    clock = FileClock(clock_path)
    built = wiring.build_runtime(settings, connect(settings), clock=clock)
    run_lane(settings, WORK_ORDER, built=built)
