"""Risk wording, both ways: real risks said indirectly must reach a lead or PR at once, harmless
uses of the same words must not.

    .venv/bin/python bench/risk_wording.py [--data PATH] [--playbook PATH] [--misses]

The posts are the team's own (bench/data/risk_wording.jsonl, written for this bench, no
third-party text): one JSON object a line, `text`, `category` (safety, health, discrimination,
media, legal, data, violence, self-harm) and `escalate` (true: a real risk, false: a harmless
use of the words). Each is decided alone, addressed to @acme, a minute old, from an author with
120 followers.

"Escalated" means the post reached someone at once: priority P1, i.e. an escalation to PR, a
crisis, or someone in danger sent to a lead. Targets: at least 80% of the real risks escalated,
at least 95% of the harmless ones not. The baseline is VADER alone, escalating a post whose
compound score is -0.5 or lower.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rules.context import MemoryContext  # noqa: E402
from rules.decision import Decision, Priority  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.mention import Author, Mention  # noqa: E402
from rules.playbook import Playbook, load_playbook  # noqa: E402
from rules.sentiment import sentiment  # noqa: E402

DEFAULT_DATA = ROOT / "bench/data/risk_wording.jsonl"
TARGET_ESCALATED = 0.80
TARGET_HARMLESS = 0.95
VADER_CUT = -0.5
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    escalate: bool


def read_examples(path: Path) -> list[Example]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                rows.append(Example(rec["text"], rec["category"], bool(rec["escalate"])))
    return rows


def decide(engine: Engine, text: str, n: int = 0) -> Decision:
    mention = Mention(
        id=f"risk-{n}",
        text=f"@acme {text}",
        created_at=NOW - timedelta(minutes=1),
        author=Author(id=f"u-{n}", username=f"writer{n}", name="Writer", followers=120),
        mentioned=("acme",),
    )
    return engine.decide(mention, MemoryContext(), NOW)


def escalated(decision: Decision) -> bool:
    """Reached a lead or PR at once: P1 (PR risk, crisis, or someone in danger)."""
    return decision.priority is Priority.P1


@dataclass
class Score:
    risks: int
    risks_escalated: int
    harmless: int
    harmless_quiet: int
    vader_escalated: int
    vader_quiet: int

    @property
    def escalated_share(self) -> float:
        return self.risks_escalated / self.risks if self.risks else 0.0

    @property
    def quiet_share(self) -> float:
        return self.harmless_quiet / self.harmless if self.harmless else 0.0

    @property
    def met(self) -> bool:
        return self.escalated_share >= TARGET_ESCALATED and self.quiet_share >= TARGET_HARMLESS


def score(
    examples: list[Example], playbook: Playbook
) -> tuple[Score, list[tuple[Example, Decision]]]:
    """The shares, and every example the engine got wrong with its decision."""
    engine = Engine(playbook, brand_handles=("acme",))
    wrong = []
    counts: Counter[str] = Counter()
    for n, ex in enumerate(examples):
        d = decide(engine, ex.text, n)
        up = escalated(d)
        vader_up = sentiment(ex.text) <= VADER_CUT
        kind = "risk" if ex.escalate else "harmless"
        counts[kind] += 1
        counts[f"{kind}_ours_right"] += up == ex.escalate
        counts[f"{kind}_vader_right"] += vader_up == ex.escalate
        if up != ex.escalate:
            wrong.append((ex, d))
    return (
        Score(
            risks=counts["risk"],
            risks_escalated=counts["risk_ours_right"],
            harmless=counts["harmless"],
            harmless_quiet=counts["harmless_ours_right"],
            vader_escalated=counts["risk_vader_right"],
            vader_quiet=counts["harmless_vader_right"],
        ),
        wrong,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--playbook", default=None)
    parser.add_argument("--misses", action="store_true", help="list every post decided wrong")
    args = parser.parse_args()
    examples = read_examples(args.data)
    result, wrong = score(examples, load_playbook(args.playbook))
    cats = Counter(ex.category for ex in examples if ex.escalate)
    print(f"Risk wording: {len(examples)} of the team's own posts ({args.data.name})")
    print(f"  categories (real risks): {', '.join(f'{k} {v}' for k, v in sorted(cats.items()))}")
    print(
        f"  real risks escalated      {result.escalated_share:.3f} "
        f"({result.risks_escalated} of {result.risks})   target ≥ {TARGET_ESCALATED:.2f}"
        f"   | VADER alone (≤ {VADER_CUT}): {result.vader_escalated / result.risks:.3f}"
    )
    print(
        f"  harmless uses not escalated {result.quiet_share:.3f} "
        f"({result.harmless_quiet} of {result.harmless})   target ≥ {TARGET_HARMLESS:.2f}"
        f"   | VADER alone: {result.vader_quiet / result.harmless:.3f}"
    )
    by_cat: Counter[tuple[str, bool]] = Counter((ex.category, ex.escalate) for ex, _ in wrong)
    if by_cat:
        print(
            "  wrong per category: "
            + ", ".join(
                f"{cat} {'missed' if esc else 'false alarm'} {n}"
                for (cat, esc), n in sorted(by_cat.items())
            )
        )
    if args.misses:
        for ex, d in wrong:
            what = "missed" if ex.escalate else "false alarm"
            print(f"    {what:11} {ex.category:14} {d.action.value:11} {ex.text}")
    print(f"  targets: {'met' if result.met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
