"""The pipeline, end to end: mentions in, decisions stored, cards out, against a baseline.

    .venv/bin/python bench/pipeline.py 20000                  # no chat: decisions stored
    .venv/bin/python bench/pipeline.py 5000 --slack           # with the stand-in Slack
    .venv/bin/python bench/pipeline.py --rate 50 --seconds 60 # a steady rate: latencies

What runs is Flare as deployed: an embedded Redis in a temporary directory, `flare worker`
processes, and, with `--slack` or `--rate`, Flare's Slack stand-in on 127.0.0.1 answering each
call in 50 ms and refusing (429, Retry-After) above one post per second per channel.

Throughput (`N`, the default mode): the mentions go in through `Intake` as `flare replay` puts
them (deduped, screened, batched), while one triage lane (`flare worker --queues urgent,triage`,
a process that does not fork) decides them; the clock runs from the first submit to the last
decision stored. Printed: mentions per second, Redis commands per mention (the server's own
count, less this script's polling), and the lane's peak RSS; the same for the default
`flare worker` (a process per lane); the engine alone on the same mentions in this process;
and the baseline, one RQ job per mention doing the same triage in RQ's default worker, which
forks for every job (on `--baseline` mentions, 1,000 by default: it is slow).

With `--slack`, the default `flare worker` runs against the stand-in for `--drain` seconds
after the last submit: mentions stored and when, cards posted, Slack posts per channel per
second at peak, and 429s.

With `--rate R --seconds S`, mentions arrive at R per second through the batcher `flare listen`
uses, with Slack connected; printed are p50/p99/max from submit to decision stored and from
submit to card posted, for all cards and for P1 cards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from rq import Worker  # noqa: E402
from rq.registry import StartedJobRegistry  # noqa: E402

from bot.card import CARD_EVENT  # noqa: E402
from cli.standin import Call, SlackStandIn  # noqa: E402
from flare import keys  # noqa: E402
from flare.jobs import Job, enqueue_many  # noqa: E402
from flare.queues import QueueName, queue  # noqa: E402
from flare.redis_server import EmbeddedRedis  # noqa: E402
from rules.context import MemoryContext  # noqa: E402
from rules.decision import Priority  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.mention import Author, Mention  # noqa: E402
from rules.playbook import load_playbook  # noqa: E402
from rules.screen import Screen  # noqa: E402
from workers.batcher import Batcher  # noqa: E402
from workers.intake import Intake  # noqa: E402

SAMPLE = ROOT / "cli" / "samples" / "demo.jsonl"
ALERTS, PR = "C0ALERTS", "C0PR"
TRIAGE_QUEUES = (QueueName.URGENT, QueueName.TRIAGE)
WORDS = ["today", "again", "please", "seriously", "now", "this morning", "!!", "?", "🙏", "😡"]
POLL = 0.05  # seconds between this script's looks at Redis
P1_SHARE = 0.01  # posts for PR among all: one in a hundred is already a bad day


def _sample() -> tuple[list[Mention], list[Mention]]:
    """The demo sample's posts: those the playbook sends to PR at P1, and the rest."""
    base = [Mention.model_validate(json.loads(line)) for line in SAMPLE.read_text().splitlines()]
    engine = Engine(load_playbook(None), brand_handles=("acme",))
    now = max(m.created_at for m in base) + timedelta(minutes=1)
    decided = engine.decide_many(base, MemoryContext(), now)
    urgent = [m for m, d in zip(base, decided, strict=True) if d.priority is Priority.P1]
    return urgent, [m for m in base if m not in urgent]


def mentions(n: int, seed: int, start: datetime, p1_share: float = P1_SHARE) -> list[Mention]:
    """`n` fresh mentions: the demo sample's posts varied in words, authors and times, the
    newest a second old, each on its own id (`seed` keeps runs apart); about `p1_share` of
    them are posts the playbook takes to PR (the sample has far more than a real day)."""
    rng = random.Random(seed)
    urgent, ordinary = _sample()
    out = []
    for i in range(n):
        m = rng.choice(urgent) if rng.random() < p1_share else ordinary[i % len(ordinary)]
        author = Author(
            id=f"a{seed}-{rng.randint(1, n // 3 + 1)}",
            username=m.author.username + str(rng.randint(0, 50)),
            followers=int(rng.paretovariate(1.2) * 50),
            verified=rng.random() < 0.01,
        )
        out.append(
            m.model_copy(
                update={
                    "id": f"{seed}{i:07d}",
                    "conversation_id": f"{seed}{i:07d}",
                    "references": (),
                    "text": f"{m.text} {rng.choice(WORDS)} #{rng.randint(1, 999)}",
                    "author": author,
                    "created_at": start - timedelta(seconds=(n - i) * 0.01),
                }
            )
        )
    return out


def env_for(redis_url: str, data: Path, slack_url: str | None) -> dict[str, str]:
    """`flare worker`'s settings and nothing else of ours from this shell: nothing leaves
    127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    env.update(FLARE_REDIS_URL=redis_url, FLARE_DATA_DIR=str(data), FLARE_BRAND__HANDLES="acme")
    if slack_url:
        env.update(
            FLARE_SLACK__BOT_TOKEN="xoxb-bench",
            FLARE_SLACK__SIGNING_SECRET="bench-secret",
            FLARE_SLACK__API_URL=slack_url,
            FLARE_SLACK__ALERTS_CHANNEL=ALERTS,
            FLARE_SLACK__PR_CHANNEL=PR,
            FLARE_SLACK__AGENTS="*",
            FLARE_SLACK__LEADS="U0LEAD",
            FLARE_SLACK__PR_TEAM="U0PR",
        )
    return env


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    flare = shutil.which("flare", path=str(Path(sys.executable).parent))
    head = [flare] if flare else [sys.executable, "-m", "cli.main"]
    out = log.open("wb")
    return subprocess.Popen([*head, *command], env=env, cwd=ROOT, stdout=out, stderr=out)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), with its children's (a supervisor's lanes)."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        status = Path(f"/proc/{p}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
    return total


class Watch:
    """This script's looks at Redis, counted so they can be taken off the server's count."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self.own = 0

    def commands(self) -> int:
        self.own += 1
        return int(self.redis.info("stats")["total_commands_processed"])

    def stored(self) -> int:
        self.own += 1
        return int(self.redis.hget(keys.stats(), "mentions") or 0)

    def triage_idle(self) -> bool:
        self.own += 2 * len(TRIAGE_QUEUES)
        return all(
            queue(self.redis, q).count == 0
            and not StartedJobRegistry(queue=queue(self.redis, q)).get_job_ids()
            for q in TRIAGE_QUEUES
        )

    def workers(self) -> int:
        return len(Worker.all(connection=self.redis))

    def until(self, done: object, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done():  # type: ignore[operator]
                return True
            time.sleep(POLL)
        return False


def through_worker(
    client: redis.Redis, url: str, tmp: Path, batch: list[Mention], command: list[str]
) -> dict[str, float]:
    """Mentions per second from the first submit to the last decision stored, through the
    `flare` worker `command`; Redis commands per mention; the worker's peak RSS."""
    client.flushall()
    watch = Watch(client)
    proc = start(command, env_for(url, tmp / "data", None), tmp / f"{command[-1]}.log")
    try:
        if not watch.until(lambda: watch.workers() > 0, 60):
            raise SystemExit(f"the worker did not start: see {tmp}")
        time.sleep(1.0)  # its first poll done: what follows is the pipeline, not the start
        intake = _intake(client)
        before = watch.commands()
        t0 = time.perf_counter()
        report = intake.take(batch)
        submitted = time.perf_counter() - t0
        watch.until(lambda: watch.stored() >= report.new and watch.triage_idle(), 600)
        elapsed = time.perf_counter() - t0
        used = watch.commands() - before - watch.own
        return {
            "per_second": len(batch) / elapsed,
            "submit_per_second": len(batch) / submitted,
            "commands": used / len(batch),
            "rss": peak_rss_mb(proc.pid),
            "stored": watch.stored(),
        }
    finally:
        stop(proc)


def _intake(client: redis.Redis) -> Intake:
    return Intake(client, screen=Screen(load_playbook(None)))


BASELINE_WORKER = """
import sys
import redis
from rq import Worker
from cli.wiring import build_runtime
from flare.queues import QueueName, queue
from flare.settings import Settings
from workers.runtime import install
settings = Settings()
client = redis.Redis.from_url(settings.redis_url)
install(build_runtime(settings, client))
Worker([queue(client, QueueName.TRIAGE)], connection=client).work(burst=True)
"""


def baseline(client: redis.Redis, url: str, tmp: Path, batch: list[Mention]) -> dict[str, float]:
    """One RQ job per mention, each a triage of that one mention, in RQ's default worker (a
    fork per job, the runtime built once before the forks)."""
    client.flushall()
    watch = Watch(client)
    payloads = [((([m.model_dump(mode="json")]),), False) for m in batch]
    enqueue_many(client, Job.TRIAGE_BATCH, payloads)
    before = watch.commands()
    t0 = time.perf_counter()
    env = env_for(url, tmp / "data", None)
    out = (tmp / "baseline.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", BASELINE_WORKER], env=env, cwd=ROOT, stdout=out, stderr=out
    )
    proc.wait()
    elapsed = time.perf_counter() - t0
    used = watch.commands() - before - watch.own
    return {
        "per_second": len(batch) / elapsed,
        "commands": used / len(batch),
        "stored": watch.stored(),
    }


def engine_alone(batch: list[Mention]) -> float:
    engine = Engine(load_playbook(None), brand_handles=("acme",))
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    context = MemoryContext()
    for i in range(0, len(batch), 100):
        engine.decide_many(batch[i : i + 100], context, now)
    return len(batch) / (time.perf_counter() - t0)


def throughput(args: argparse.Namespace, client: redis.Redis, url: str, tmp: Path) -> None:
    now = datetime.now(UTC)
    batch = mentions(args.n, 1, now)
    print(f"{args.n:,} mentions, no chat; {os.cpu_count()} CPUs; best of {args.repeat}")
    engine = max(engine_alone(batch) for _ in range(args.repeat))
    lane = [
        through_worker(client, url, tmp, mentions(args.n, 10 + r, now), LANE)
        for r in range(args.repeat)
    ]
    whole = through_worker(client, url, tmp, mentions(args.n, 30, now), ["worker"])
    base = baseline(client, url, tmp, mentions(args.baseline, 40, now))
    best = max(lane, key=lambda r: r["per_second"])
    runs = ", ".join(f"{r['per_second']:,.0f}" for r in lane)
    rows = [
        ("engine alone, this process", f"{engine:,.0f}/s", "", ""),
        (
            "one triage lane (`--queues urgent,triage`)",
            f"{best['per_second']:,.0f}/s (runs: {runs})",
            f"{best['commands']:.1f}",
            f"{best['rss']:.0f} MB",
        ),
        (
            "default `flare worker` (a process per lane)",
            f"{whole['per_second']:,.0f}/s",
            f"{whole['commands']:.1f}",
            f"{whole['rss']:.0f} MB (all lanes)",
        ),
        (
            f"baseline: a forking RQ job per mention ({args.baseline:,})",
            f"{base['per_second']:,.0f}/s",
            f"{base['commands']:.1f}",
            "",
        ),
    ]
    print(f"\n{'':48} {'mentions to decisions':>28} {'Redis cmds':>11} {'peak RSS':>20}")
    for name, rate, cmds, rss in rows:
        print(f"{name:48} {rate:>28} {cmds:>11} {rss:>20}")
    print(
        f"\nlane / baseline: {best['per_second'] / base['per_second']:.1f}×; "
        f"lane / engine alone: {best['per_second'] / engine:.2f}; "
        f"submit (intake) alone: {best['submit_per_second']:,.0f}/s; "
        f"stored {best['stored']:,.0f} of {args.n:,}"
    )
    print("goals (issue 13): ≥ 2,000/s per worker process and ≥ 20× the baseline; ≤ 15 commands")


LANE = ["worker", "--queues", "urgent,triage"]


def card_times(standin: SlackStandIn) -> dict[str, float]:
    """When each case's card went up: the first accepted chat.postMessage naming it."""
    found: dict[str, float] = {}
    for c in standin.calls_to("chat.postMessage"):
        meta = c.args.get("metadata")
        if c.status != 200 or not isinstance(meta, dict) or meta.get("event_type") != CARD_EVENT:
            continue
        case = str((meta.get("event_payload") or {}).get("case", ""))
        found.setdefault(case, c.at)
    return found


def backlog(client: redis.Redis) -> str:
    """What is left in each channel: cards waiting for a slot, and folded into its card."""
    parts = []
    for channel in (ALERTS, PR):
        waiting = client.zcard(keys.send_waiting(channel))
        folded = client.zcard(keys.send_folded(channel))
        parts.append(f"{channel}: {waiting:,} waiting, {folded:,} folded")
    return "; ".join(parts)


def slack_posts(calls: list[Call]) -> tuple[int, int]:
    """The most accepted posts to one channel within one clock second, and the 429s."""
    bins: Counter[tuple[str, int]] = Counter()
    refused = 0
    for c in calls:
        if c.method != "chat.postMessage":
            continue
        if c.status == 429:
            refused += 1
        elif c.status == 200:
            bins[(str(c.args.get("channel")), int(c.at))] += 1
    return (max(bins.values()) if bins else 0), refused


def stored_times(client: redis.Redis, ids: list[str]) -> dict[str, tuple[float, str]]:
    """When each mention's case was stored (the worker's clock at its batch), and its priority."""
    pipe = client.pipeline(transaction=False)
    for mid in ids:
        pipe.hmget(keys.case(mid), "stored_at", "decision")
    out = {}
    for mid, (at, decision) in zip(ids, pipe.execute(), strict=True):
        if at:
            priority = json.loads(decision).get("priority") or ""
            out[mid] = (datetime.fromisoformat(at.decode()).timestamp(), priority)
    return out


def with_slack(args: argparse.Namespace, client: redis.Redis, url: str, tmp: Path) -> None:
    client.flushall()
    standin = SlackStandIn(rate_limit=1.0, rate_burst=1.0, on_call=lambda _: time.sleep(0.05))
    standin.start()
    proc = start(["worker"], env_for(url, tmp / "data", standin.base_url), tmp / "slack.log")
    watch = Watch(client)
    try:
        watch.until(lambda: watch.workers() >= 3, 60)
        time.sleep(1.0)
        batch = mentions(args.n, 50, datetime.now(UTC))
        t0 = time.time()
        report = _intake(client).take(batch)
        watch.until(lambda: watch.stored() >= report.new, 600)
        stored_at = time.time()
        time.sleep(max(0.0, args.drain - (time.time() - t0)))
        cards = card_times(standin)
        peak, refused = slack_posts(list(standin.calls))
        print(f"{args.n:,} mentions with Slack connected (50 ms answers, 1 post/s/channel)")
        print(f"  all {watch.stored():,} stored in {stored_at - t0:.1f} s")
        print(f"  cards posted in {args.drain:g} s: {len(cards):,}; peak posts/channel/s {peak}")
        print(f"  429s: {refused}; left: {backlog(client)}")
        calls = Counter(f"{c.method} {c.args.get('channel', '')}" for c in standin.calls)
        print(f"  Slack calls: {dict(calls.most_common(8))}")
    finally:
        stop(proc)
        standin.stop()


def steady(args: argparse.Namespace, client: redis.Redis, url: str, tmp: Path) -> None:
    client.flushall()
    standin = SlackStandIn(rate_limit=1.0, rate_burst=1.0, on_call=lambda _: time.sleep(0.05))
    standin.start()
    proc = start(["worker"], env_for(url, tmp / "data", standin.base_url), tmp / "steady.log")
    watch = Watch(client)
    intake = _intake(client)
    sent: dict[str, float] = {}
    lock = threading.Lock()

    def sink(batch: list[Mention], token: str) -> object:
        return intake.submit_batch(batch, token)

    batcher = Batcher(sink)
    try:
        watch.until(lambda: watch.workers() >= 3, 60)
        time.sleep(1.0)
        total = int(args.rate * args.seconds)
        batch = mentions(total, 60, datetime.now(UTC) + timedelta(seconds=args.seconds))
        batcher.start()
        t0 = time.time()
        for i, m in enumerate(batch):
            due = t0 + i / args.rate
            time.sleep(max(0.0, due - time.time()))
            fresh = m.model_copy(update={"created_at": datetime.now(UTC)})
            with lock:
                sent[m.id] = time.time()
            batcher.put(fresh)
        batcher.close()
        time.sleep(args.drain)
    finally:
        stop(proc)
        standin.stop()
    decided = stored_times(client, list(sent))
    cards = card_times(standin)
    to_decision = [decided[i][0] - sent[i] for i in sent if i in decided]
    to_card = [cards[i] - sent[i] for i in sent if i in cards]
    p1 = [cards[i] - sent[i] for i in sent if i in cards and decided.get(i, (0, ""))[1] == "P1"]
    print(f"{args.rate:g} mentions/s for {args.seconds:g} s ({len(sent):,}), Slack connected")
    print(f"  stored {len(decided):,} of {len(sent):,}; cards {len(cards):,}")
    print(f"  left: {backlog(client)}")
    for name, values in (("to decision", to_decision), ("to card", to_card), ("P1 card", p1)):
        print(f"  {name:12} {_spread(values)}")
    print("goals (issue 13): p99 ≤ 1 s to a decision; P1 card ≤ 5 s")


def _spread(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"p50 {statistics.median(ordered):.2f} s, p99 {p99:.2f} s, max {ordered[-1]:.2f} s "
        f"({len(ordered):,})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=20000, help="mentions (throughput)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the lane; the best counts")
    parser.add_argument("--baseline", type=int, default=1000, help="mentions for the baseline")
    parser.add_argument("--slack", action="store_true", help="with the stand-in Slack")
    parser.add_argument("--rate", type=float, help="mentions per second, steady")
    parser.add_argument("--seconds", type=float, default=60, help="how long, with --rate")
    parser.add_argument("--drain", type=float, default=30, help="seconds to wait for cards")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="flare-pipeline-") as tmp_name:
        tmp = Path(tmp_name)
        server = EmbeddedRedis(tmp / "redis")
        client = redis.Redis.from_url(server.acquire())
        try:
            if args.rate:
                steady(args, client, server.url, tmp)
            elif args.slack:
                with_slack(args, client, server.url, tmp)
            else:
                throughput(args, client, server.url, tmp)
        finally:
            client.close()
            server.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
