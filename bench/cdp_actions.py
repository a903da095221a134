"""What the engine does with real customer posts: the IBM customer-care threads (Apache-2.0).

    .venv/bin/python bench/cdp_actions.py [--split dev|test] [--show escalate_pr,drop]

Reads ../shared/data/twitter-customer-care-cdp/{dev,test}.json where it lies (nothing is copied
into the repo). Every customer turn is decided on its own, addressed to the thread's company,
a minute after it was posted. The threads carry no labels for our actions, so this prints how
many of each action the engine chose, and lists the ones asked for with `--show` for a person
to judge: PR escalations and drops above all, as a false page or a dropped customer costs most.
Rules may be developed against `dev`; `test` is for a final look only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rules.context import MemoryContext  # noqa: E402
from rules.decision import Decision  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.mention import Author, Mention  # noqa: E402
from rules.playbook import load_playbook  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared/data/twitter-customer-care-cdp"
_HANDLE = re.compile(r"@(\w{1,15})")


def customer_turns(path: Path) -> list[tuple[str, Mention]]:
    """(company, mention) for every customer turn of every thread, in file order."""
    out = []
    for thread in json.loads(path.read_text(encoding="utf-8")):
        company = thread["dialogHeader"]["company"]
        for turn in thread["dialogContent"]:
            if "client" not in turn:
                continue
            text = turn["message"]
            out.append(
                (
                    company,
                    Mention(
                        id=turn["tweet_ID"],
                        text=text,
                        created_at=datetime.fromisoformat(turn["datetime"].replace("Z", "+00:00")),
                        author=Author(
                            id=f"u-{turn['client']}", username=turn["client"], name=turn["client"]
                        ),
                        mentioned=tuple(h.lower() for h in _HANDLE.findall(text)),
                    ),
                )
            )
    return out


def decide(turns: list[tuple[str, Mention]], playbook_path: str | None) -> list[Decision]:
    book = load_playbook(playbook_path)
    engines: dict[str, Engine] = {}
    out = []
    for company, mention in turns:
        engine = engines.get(company) or engines.setdefault(company, Engine(book, (company,)))
        now = mention.created_at + timedelta(minutes=1)
        out.append(engine.decide(mention, MemoryContext(), now))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument(
        "--show", default="escalate_pr,drop", help="actions to list, comma-separated"
    )
    parser.add_argument("--playbook", default=None)
    args = parser.parse_args()
    path = args.dir / f"{args.split}.json"
    if not path.is_file():
        print(f"{path} not found: see shared/data/twitter-customer-care-cdp", file=sys.stderr)
        return 2
    turns = customer_turns(path)
    decisions = decide(turns, args.playbook)
    counts = Counter(d.action.value for d in decisions)
    print(f"IBM customer-care threads, {args.split}: {len(turns)} customer posts")
    print("  " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    pages = counts.get("escalate_pr", 0)
    print(f"  PR escalations: {pages} ({pages / len(turns) * 200:.1f} per 200 posts)")
    shown = {a.strip() for a in args.show.split(",") if a.strip()}
    for (_, mention), d in zip(turns, decisions, strict=True):
        if d.action.value in shown:
            text = " ".join(mention.text.split())[:150]
            print(f"    {d.action.value:11} {d.reasons[0][:70]:70} | {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
