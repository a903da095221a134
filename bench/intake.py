"""Benchmark: mentions per second from stream line to triage queue, batched vs one job each.

Run: `.venv/bin/python -m bench.intake [N]` (default 5000). Uses Flare's embedded Redis in a
temporary directory; both runs read the same real-format stream lines.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import redis
from pydantic import SecretStr

from flare.queues import QueueName, queue
from flare.redis_server import EmbeddedRedis
from flare.settings import IntakeSettings, XSettings
from rules.mention import Source
from rules.normalize import mentions_from
from workers.batcher import Batcher
from workers.intake import Intake, IntakeReport
from workers.stream import XStream, build_rules


def stream_lines(n: int) -> list[bytes]:
    """N filtered-stream lines as X sends them: data, includes.users, matching_rules."""
    lines = []
    for i in range(n):
        author = str(10_000 + i % 500)
        post = {
            "id": str(1_900_000_000_000_000_000 + i),
            "text": f"@acme order {i} never arrived 📦 どうなっていますか",
            "edit_history_tweet_ids": [str(1_900_000_000_000_000_000 + i)],
            "author_id": author,
            "created_at": "2026-11-20T09:10:00.000Z",
            "conversation_id": str(1_900_000_000_000_000_000 + i),
            "lang": "en",
            "public_metrics": {
                "retweet_count": 1,
                "reply_count": 0,
                "like_count": 3,
                "quote_count": 0,
            },
            "entities": {"mentions": [{"start": 0, "end": 5, "username": "acme", "id": "9001"}]},
        }
        user = {
            "id": author,
            "username": f"user{author}",
            "name": "Sam",
            "verified": False,
            "public_metrics": {"followers_count": 880, "following_count": 10, "tweet_count": 5},
        }
        message = {
            "data": post,
            "includes": {"users": [user]},
            "matching_rules": [{"id": "1", "tag": "flare:mentions"}],
        }
        lines.append(json.dumps(message).encode())
    return lines


def batched(client: redis.Redis, lines: list[bytes]) -> float:
    """The listener's path: XStream.take_line → Batcher → Intake (SET NX + one job per batch)."""
    intake = Intake(client)
    batcher = Batcher.for_intake(intake, size=100, wait=0.05, capacity=10_000).start()
    stream = XStream(
        XSettings(bearer_token=SecretStr("bench")),
        IntakeSettings(),
        build_rules(["acme"]),
        intake,
        batcher,
    )
    start = time.perf_counter()
    for line in lines:
        stream.take_line(line)
    batcher.flush()
    elapsed = time.perf_counter() - start
    batcher.close()
    return elapsed


def one_job_each(client: redis.Redis, lines: list[bytes]) -> float:
    """The baseline: each line parsed, deduped and enqueued as its own RQ job."""
    intake = Intake(client, batch_size=1)
    start = time.perf_counter()
    for line in lines:
        report = IntakeReport()
        intake.submit(mentions_from(json.loads(line), Source.X_STREAM), report)
    return time.perf_counter() - start


def main(n: int = 5000) -> None:
    lines = stream_lines(n)
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp))
        client = redis.Redis.from_url(server.acquire())
        try:
            results = {}
            for name, run in (("one job per mention", one_job_each), ("batched", batched)):
                client.flushdb()
                elapsed = run(client, lines)
                jobs = queue(client, QueueName.TRIAGE).count
                queued = sum(len(j.args[0]) for j in queue(client, QueueName.TRIAGE).get_jobs())
                assert queued == n, f"{name}: {queued} of {n} mentions queued"
                results[name] = n / elapsed
                print(f"{name:>20}: {n / elapsed:8.0f} mentions/s ({jobs} jobs)")
            ratio = results["batched"] / results["one job per mention"]
            print(f"{'batched / baseline':>20}: {ratio:8.1f}x")
        finally:
            client.close()
            server.release()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
