"""Tone, both ways: praise and everyday posts are handled lightly, complaints and requests reach a
person, on the team's own posts.

    .venv/bin/python bench/tone_posts.py [--data PATH] [--playbook PATH] [--misses]

The posts are the team's own (bench/data/tone_posts.jsonl, written for this bench, no
third-party text): one JSON object a line, `text` and `kind`:
- `praise`: thanks or praise with nothing left to do (and praise said through negation,
  rhetorical questions or "please pass it on"): handled lightly (thank, ignore or drop);
- `neutral`: an everyday post to the brand that asks nothing and names nothing wrong ("flying to
  Boston today"): handled lightly;
- `complaint`: a problem of ours, often in plain words with no word of complaint: reaches a
  person and is read as a complaint;
- `request`: a question or a request, however politely put: reaches a person.

Each is decided alone, addressed to @acme, a minute old, from an author with 120 followers. It
is the tuning set for the tone rules (the airline file is only measured, never read); the
baseline is VADER alone (negative, compound <= -0.05, to a person; otherwise left).
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
from rules.decision import Action, Decision  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.mention import Author, Mention  # noqa: E402
from rules.playbook import load_playbook  # noqa: E402
from rules.sentiment import sentiment  # noqa: E402

DEFAULT_DATA = ROOT / "bench/data/tone_posts.jsonl"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LIGHT = frozenset({Action.THANK, Action.IGNORE, Action.DROP})
KINDS = ("praise", "neutral", "complaint", "request")


@dataclass(frozen=True)
class Example:
    text: str
    kind: str

    @property
    def light(self) -> bool:
        """Right when handled lightly (praise, everyday posts); else it must reach a person."""
        return self.kind in ("praise", "neutral")


def read_examples(path: Path) -> list[Example]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                if rec["kind"] not in KINDS:
                    raise ValueError(f"unknown kind {rec['kind']!r} in {path.name}")
                rows.append(Example(rec["text"], rec["kind"]))
    return rows


def decide(engine: Engine, text: str, n: int = 0) -> Decision:
    mention = Mention(
        id=f"tone-{n}",
        text=f"@acme {text}",
        created_at=NOW - timedelta(minutes=1),
        author=Author(id=f"u-{n}", username=f"writer{n}", name="Writer", followers=120),
        mentioned=("acme",),
    )
    return engine.decide(mention, MemoryContext(), NOW)


def right(ex: Example, d: Decision) -> bool:
    """Light kinds handled lightly; a complaint reaches a person as a complaint; a request
    reaches a person."""
    if ex.light:
        return d.action in LIGHT
    if ex.kind == "complaint":
        return d.action not in LIGHT and bool(d.signals.get("complaint"))
    return d.action not in LIGHT


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--playbook", default=None)
    parser.add_argument("--misses", action="store_true", help="list every post decided wrong")
    args = parser.parse_args()
    examples = read_examples(args.data)
    engine = Engine(load_playbook(args.playbook), brand_handles=("acme",))
    total: Counter[str] = Counter(ex.kind for ex in examples)
    ours: Counter[str] = Counter()
    vader: Counter[str] = Counter()
    wrong = []
    for n, ex in enumerate(examples):
        d = decide(engine, ex.text, n)
        if right(ex, d):
            ours[ex.kind] += 1
        else:
            wrong.append((ex, d))
        vader[ex.kind] += (sentiment(ex.text) > -0.05) == ex.light
    print(f"Tone: {len(examples)} of the team's own posts ({args.data.name})")
    for kind in KINDS:
        if not total[kind]:
            continue  # a file of one kind or a few (a first look at new posts)
        what = "handled lightly" if kind in ("praise", "neutral") else "to a person"
        if kind == "complaint":
            what += ", read as a complaint"
        print(
            f"  {kind:9} {total[kind]:3}  {what:36} {ours[kind] / total[kind]:.3f}"
            f"   | VADER alone: {vader[kind] / total[kind]:.3f}"
        )
    if args.misses:
        for ex, d in wrong:
            print(f"    {ex.kind:9} {d.action.value:8} {d.reasons[0][:60]:60} | {ex.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
