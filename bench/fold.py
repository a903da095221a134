"""What weighing a channel's line costs its drain, per post, as the line grows.

    .venv/bin/python bench/fold.py                    # lines of 100, 1,000, 5,000 and 20,000
    .venv/bin/python bench/fold.py --sizes 3000 --repeat 50

For each size it fills one channel's backlog in an embedded Redis (in a temporary directory)
with P3 and P4 cards, and times `workers.fold.review`, which the channel's drain runs before
each post, in three states:
- *far*: every target is 30 minutes off. A line up to 1,800 cards (at one post a second) folds
  nothing, which the length and the least urgent card show without reading the line; a longer
  one folds its tail once, then is weighed again at each post;
- *near*: the P4 targets are seconds off and the line is new each time, so every review reads,
  weighs and folds a quarter of it (and starts the response-target check of each folded case):
  the cost of a line that arrives all at once;
- *again*: the same line, folded once before timing: each review weighs the whole line again
  and moves nothing, the steady cost while cards are folded.

It prints the median and the slowest milliseconds per review, and Redis commands per review,
beside the pace of one post a second the review must keep well under. Nothing leaves the
machine: no Slack is called (the fold card's job is only queued).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from cli import wiring  # noqa: E402
from flare import keys  # noqa: E402
from flare.backlog import urgency  # noqa: E402
from flare.redis_server import EmbeddedRedis  # noqa: E402
from flare.settings import Settings  # noqa: E402
from rules.decision import Priority  # noqa: E402
from workers import fold, runtime  # noqa: E402

CHANNEL = "C0ALERTS"


def fill(client: redis.Redis, size: int, p4_due: datetime, p3_due: datetime) -> None:
    """A line of `size` cards: three P3 for each P4."""
    client.delete(keys.send_waiting(CHANNEL), keys.send_folded(CHANNEL))
    line = {
        f"c{i}": urgency(Priority.P4, p4_due) if i % 4 == 0 else urgency(Priority.P3, p3_due)
        for i in range(size)
    }
    client.zadd(keys.send_waiting(CHANNEL), line)


def timed(
    rt: runtime.Runtime, repeat: int, refill: Callable[[], None] | None
) -> tuple[list[float], float]:
    """Milliseconds per review, and Redis commands per review (the refill not counted)."""
    spent: list[float] = []
    sent = 0
    for _ in range(repeat):
        if refill is not None:
            refill()
        rt.redis.delete(keys.fold_weighed(CHANNEL))  # time the weighing, not its gap
        before = _calls(rt.redis)
        start = time.perf_counter()
        fold.review(rt, CHANNEL)
        spent.append((time.perf_counter() - start) * 1000)
        sent += _calls(rt.redis) - before
    return spent, sent / repeat


def _calls(client: redis.Redis) -> int:
    """Commands Redis has run, the INFO that asks not counted."""
    stats = client.info("commandstats")
    return sum(int(v["calls"]) for k, v in stats.items() if not k.endswith("info"))


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="flare-fold-") as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis")
        server.acquire()
        try:
            client = redis.Redis.from_url(server.url)
            settings = Settings(redis_url=server.url, data_dir=Path(tmp) / "data")
            rt = runtime.install(wiring.build_runtime(settings, client))
            now = datetime.now(UTC)
            far, near = now + timedelta(minutes=30), now + timedelta(seconds=5)
            print(f"{'cards':>7} {'state':>7} {'median ms':>10} {'max ms':>8} {'commands':>9}")
            for size in args.sizes:
                for state in ("far", "near", "again"):
                    fill(client, size, far if state == "far" else near, far)
                    fold.review(rt, CHANNEL)  # what an earlier post's drain folded
                    refill = None
                    if state == "near":
                        refill = partial(fill, client, size, near, far)
                    spent, per = timed(rt, args.repeat, refill)
                    print(
                        f"{size:>7,} {state:>7} {statistics.median(spent):>10.2f} "
                        f"{max(spent):>8.2f} {per:>9.1f}"
                    )
        finally:
            server.release()
    per_second = Settings().slack.send_per_second
    print(
        f"\nA drain posts {per_second:g} card(s) a second per channel; it weighs a long line at "
        f"most every {fold.WEIGH_GAP_MS / 1000:g} s."
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 5_000, 20_000])
    parser.add_argument("--repeat", type=int, default=20)
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
