"""Mentions per second through the triage engine on one core, against VADER alone per post.

    .venv/bin/python bench/triage.py [--n 20000] [--batch 100] [--repeat 3]

Mentions are the demo sample's, varied (author, numbers, words, times), decided in batches with
an in-memory context, as the triage worker does with Redis. Both figures are the best of
`--repeat` runs (wall clock), so that other work on a shared machine weighs less on them;
VADER alone is measured in the same run, so the ratio holds whatever the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rules.context import MemoryContext  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.mention import Author, Mention  # noqa: E402
from rules.playbook import load_playbook  # noqa: E402
from rules.sentiment import analyzer  # noqa: E402

SAMPLE = ROOT / "cli" / "samples" / "demo.jsonl"
TARGET = 5000  # mentions per second on one core (issue 3)
EXTRA_WORDS = [
    "today",
    "again",
    "please",
    "seriously",
    "now",
    "this morning",
    "!!",
    "?",
    "🙏",
    "😡",
]


def varied(n: int, seed: int = 7) -> list[Mention]:
    rng = random.Random(seed)
    base = [Mention.model_validate(json.loads(line)) for line in SAMPLE.read_text().splitlines()]
    start = min(m.created_at for m in base)
    out = []
    for i in range(n):
        m = base[i % len(base)]
        text = f"{m.text} {rng.choice(EXTRA_WORDS)} #{rng.randint(1, 999)}"
        author = Author(
            id=f"a{rng.randint(1, n // 3 + 1)}",
            username=m.author.username + str(rng.randint(0, 50)),
            followers=int(rng.paretovariate(1.2) * 50),
            verified=rng.random() < 0.01,
        )
        when = start + timedelta(seconds=i * 0.5)
        out.append(
            m.model_copy(update={"id": str(i), "text": text, "author": author, "created_at": when})
        )
    return out


def vader_alone(mentions: list[Mention]) -> float:
    """Posts per second through VADER's own polarity_scores, nothing else."""
    vader = analyzer()
    t0 = time.perf_counter()
    for m in mentions:
        vader.polarity_scores(m.text)
    return len(mentions) / (time.perf_counter() - t0)


def through_engine(engine: Engine, mentions: list[Mention], batch: int) -> float:
    """Mentions per second through the engine, in batches, with a fresh in-memory context."""
    now = max(m.created_at for m in mentions) + timedelta(minutes=1)
    context = MemoryContext()
    t0 = time.perf_counter()
    for i in range(0, len(mentions), batch):
        engine.decide_many(mentions[i : i + batch], context, now)
    return len(mentions) / (time.perf_counter() - t0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument(
        "--whole",
        type=int,
        default=0,
        metavar="N",
        help="also run `flare triage` over a file of N mentions, whole process, as a user "
        "would (issue 13 asks ≥ 5,000/s over 100,000), with one process and with one per CPU",
    )
    args = parser.parse_args()
    mentions = varied(args.n)
    engine = Engine(load_playbook(), brand_handles=("acme", "acmehelp"))
    through_engine(engine, mentions[:200], args.batch)  # warm caches (and VADER's lexicon)

    runs = max(1, args.repeat)
    vader_rate = max(vader_alone(mentions) for _ in range(runs))
    rate = max(through_engine(engine, mentions, args.batch) for _ in range(runs))

    print(f"{len(mentions)} mentions, batches of {args.batch}, one core, best of {runs} runs")
    print(f"  engine:      {rate:,.0f} mentions/s  ({1e6 / rate:.0f} µs each)")
    print(f"  VADER alone: {vader_rate:,.0f} posts/s  ({1e6 / vader_rate:.0f} µs each)")
    verdict = "met" if rate >= TARGET else "NOT met"
    print(f"  engine / VADER alone: {rate / vader_rate:.2f}×")
    print(f"  target ≥ {TARGET:,} mentions/s: {verdict}")
    if args.whole:
        whole(varied(args.whole, seed=11), rate, runs)
    return 0


def whole(mentions: list[Mention], engine_rate: float, runs: int) -> None:
    """`flare triage FILE` start to end, stdout to a file, against the engine alone."""
    flare = Path(sys.executable).parent / "flare"
    now = (max(m.created_at for m in mentions) + timedelta(minutes=1)).isoformat()
    with tempfile.TemporaryDirectory(prefix="flare-triage-") as tmp:
        path = Path(tmp) / "mentions.jsonl"
        path.write_text("".join(m.model_dump_json() + "\n" for m in mentions))
        print(f"\n`flare triage` over {len(mentions):,} mentions ({path.stat().st_size >> 20} MB)")
        for jobs in sorted({1, os.cpu_count() or 1}):
            command = [str(flare), "triage", str(path), "--brand", "acme", "--now", now]
            best = 0.0
            for _ in range(runs):
                with (Path(tmp) / "out.jsonl").open("wb") as out:
                    t0 = time.perf_counter()
                    subprocess.run([*command, "-j", str(jobs)], stdout=out, check=True)
                    best = max(best, len(mentions) / (time.perf_counter() - t0))
            print(
                f"  -j {jobs}: {best:,.0f} mentions/s, whole process "
                f"({best / engine_rate:.2f}× the engine alone in this run)"
            )


if __name__ == "__main__":
    raise SystemExit(main())
