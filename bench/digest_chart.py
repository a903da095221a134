"""The daily digest on a scripted busy day: how long the report and its chart take, and the
chart itself, written to docs/reports-chart.png (the one shown in docs/reports.md).

    .venv/bin/python bench/digest_chart.py [--cases 1000] [--out docs/reports-chart.png]

The day is made up here, seeded, so the chart is the same at every run: cases arrive through
the day with a busy evening, most are claimed and answered within their target, some go
overdue first, and two incidents are opened and acknowledged. No Redis: the report is built by
the same pure function `flare report` and the digest use.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flare.audit import Entry
from flare.chart import png
from flare.report import CaseFacts, build

SINCE = datetime(2026, 11, 20, 8, tzinfo=UTC)
TARGETS = {"P1": 15, "P2": 30, "P3": 60, "P4": 240}  # minutes, as the default playbook's
AGENTS = ("U0ASHA", "U0BEN", "U0CHLOE", "U0DEV", "U0EMMA")
TOPICS = ("delivery", "billing", "outage", "app", None)


def scripted_day(cases: int, seed: int = 15) -> tuple[list[Entry], dict[str, CaseFacts]]:
    rng = random.Random(seed)
    entries: list[Entry] = []
    facts: dict[str, CaseFacts] = {}
    for n in range(cases):
        hour = rng.choices(
            range(24),
            weights=[3, 4, 5, 5, 6, 6, 5, 5, 6, 8, 10, 12, 11, 9, 6, 4, 3, 2, 1, 1, 1, 1, 2, 2],
        )[0]
        posted = SINCE + timedelta(hours=hour, minutes=rng.uniform(0, 59))
        priority = rng.choices(list(TARGETS), weights=[2, 10, 60, 28])[0]
        target = timedelta(minutes=TARGETS[priority])
        case_id, agent = f"c{n}", rng.choice(AGENTS)
        took = target * rng.lognormvariate(-0.8, 0.7)
        claimed = posted + took * 0.3
        answered = posted + took
        if answered > posted + target:
            entries.append(Entry(case_id, "flare", "overdue", posted + target))
        entries.append(Entry(case_id, agent, "claim", claimed))
        entries.append(
            Entry(case_id, agent, rng.choice(("reply", "reply", "reply", "dm")), answered)
        )
        if rng.random() < 0.05:
            entries.append(Entry(case_id, agent, "escalate", answered + timedelta(minutes=2)))
        entries.append(
            Entry(case_id, agent, "resolve", answered + timedelta(minutes=rng.uniform(1, 30)))
        )
        facts[case_id] = CaseFacts(priority, rng.choice(TOPICS), posted, posted + target, answered)
    for name, hour, ack in (("i1", 10, 4), ("i2", 19, 11)):
        opened = SINCE + timedelta(hours=hour)
        entries.append(
            Entry(f"incident:{name}", "flare", "incident-open", opened, {"topic": "outage"})
        )
        entries.append(
            Entry(
                f"incident:{name}",
                "U0PRLEAD",
                "acknowledge",
                opened + timedelta(minutes=ack),
                {"topic": "outage"},
            )
        )
    entries.sort(key=lambda e: e.at)
    return entries, facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path("docs/reports-chart.png"))
    args = parser.parse_args()
    entries, facts = scripted_day(args.cases)
    start = time.perf_counter()
    report = build(entries, facts, SINCE, SINCE + timedelta(days=1))
    built = time.perf_counter() - start
    start = time.perf_counter()
    image = png(report)
    drawn = time.perf_counter() - start
    start = time.perf_counter()
    png(report)  # matplotlib imported now: what each later digest of a worker process costs
    again = time.perf_counter() - start
    args.out.write_bytes(image)
    print(f"{len(entries)} audit entries, {len(facts)} cases")
    print(
        f"report built in {built * 1000:.1f} ms; chart drawn in {drawn * 1000:.0f} ms "
        f"with matplotlib's import, {again * 1000:.0f} ms once imported; "
        f"{len(image) / 1024:.0f} KB PNG -> {args.out}"
    )
    for p, t in report.first_response.items():
        print(
            f"  {p}: median {t.p50_minutes} min, p90 {t.p90_minutes} min, "
            f"{t.share_inside:.0%} inside {t.target_minutes} min"
        )
    print(f"  breaches {report.breach_total}, handled {report.handled}")


if __name__ == "__main__":
    main()
