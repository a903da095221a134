"""What the engine does with real customer posts: the IBM customer-care threads (Apache-2.0).

    .venv/bin/python bench/cdp_actions.py [--split dev|test] [--show escalate_pr,drop] [--wrong]

Reads ../shared/data/twitter-customer-care-cdp/{dev,test}.json where it lies (nothing is copied
into the repo). Every customer turn is decided on its own, addressed to the thread's company
(its care handle and its other public handles, HANDLES), a minute after it was posted. It prints
how many of each action the engine chose, and lists the ones asked for with `--show` for a
person to judge: PR escalations and drops above all, as a false page or a dropped customer
costs most. Rules may be developed against `dev`; `test` is for a final look only.

Where the team has labelled a split (bench/data/cdp_<split>_labels.jsonl: post ids and the
actions the playbook makes right for each, see bench/data/README.md), it also prints the share
of labelled posts whose action is right, and the PR escalations a care lead would call false,
per 200 posts; `--wrong` lists the posts it got wrong.
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
LABELS = ROOT / "bench" / "data"
_HANDLE = re.compile(r"@(\w{1,15})")

# Each company's public handles besides its care account, as its team would list them in
# FLARE_BRAND__HANDLES (a post to @gmail is written to Google's care team). Brand names only,
# from the companies' own public accounts; no wording from the posts.
HANDLES = {
    "AdobeCare": ("adobe", "photoshop", "adobepremiere", "creativecloud", "lightroom"),
    "AmazonHelp": ("amazon", "primevideo", "amazonuk"),
    "AppleSupport": ("apple",),
    "AskPlayStation": ("playstation",),
    "Ask_Spectrum": ("getspectrum",),
    "Ask_WellsFargo": ("wellsfargo",),
    "AskeBay": ("ebay", "ebay_uk"),
    "ChaseSupport": ("chase", "chaseforbiz"),
    "DropboxSupport": ("dropbox", "dropboxbusiness"),
    "GoDaddyHelp": ("godaddy",),
    "Google": ("gmail", "googleindia"),
    "HPSupport": ("hp",),
    "MicrosoftHelps": ("microsoft", "windows"),
    "MojangSupport": ("mojang", "minecraft"),
    "RockstarSupport": ("rockstargames",),
    "SpotifyCares": ("spotify", "spotifyuk"),
    "TMobileHelp": ("tmobile",),
    "TeamYouTube": ("youtube", "ytcreators", "youtubetv"),
    "Uber_Support": ("uber",),
    "XboxSupport": ("xbox",),
    "YahooCare": ("yahoo", "yahoomail"),
    "hulu_support": ("hulu",),
}


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
        engine = engines.get(company) or engines.setdefault(
            company, Engine(book, (company, *HANDLES.get(company, ())))
        )
        now = mention.created_at + timedelta(minutes=1)
        out.append(engine.decide(mention, MemoryContext(), now))
    return out


def read_labels(split: str) -> dict[str, set[str]]:
    """Post id → the actions that are right for it, or {} when the split is not labelled."""
    path = LABELS / f"cdp_{split}_labels.jsonl"
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[str(row["id"])] = set(row["right"])
    return out


def report_labelled(
    turns: list[tuple[str, Mention]],
    decisions: list[Decision],
    labels: dict[str, set[str]],
    wrong: bool,
) -> None:
    """The share of labelled posts acted on rightly, per action, and false PR pages."""
    seen: dict[str, tuple[Mention, Decision]] = {}
    for (_, mention), d in zip(turns, decisions, strict=True):
        if mention.id in labels:
            seen.setdefault(mention.id, (mention, d))
    n = len(seen)
    right = sum(d.action.value in labels[i] for i, (_, d) in seen.items())
    pages = [i for i, (_, d) in seen.items() if d.action.value == "escalate_pr"]
    false_pages = [i for i in pages if "escalate_pr" not in labels[i]]
    print(f"\n  labelled posts: {n} (bench/data/cdp_*_labels.jsonl, by the playbook)")
    print(f"  actions right: {right / n:.3f} ({right} of {n})   target >= 0.90")
    print(
        f"  PR escalations {len(pages)}, false by the labels {len(false_pages)}: "
        f"{len(false_pages) / n * 200:.1f} false per 200 posts   target <= 1"
    )
    by_action: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for i, (_, d) in seen.items():
        by_action[d.action.value] += 1
        hits[d.action.value] += d.action.value in labels[i]
    print(
        "  right per action chosen: "
        + ", ".join(f"{a} {hits[a]}/{k}" for a, k in by_action.most_common())
    )
    if wrong:
        for i, (mention, d) in seen.items():
            if d.action.value not in labels[i]:
                text = " ".join(mention.text.split())[:110]
                want = "/".join(sorted(labels[i]))
                print(f"    {d.action.value:11} want {want:22} {d.reasons[0][:50]:50} | {text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument(
        "--show", default="escalate_pr,drop", help="actions to list, comma-separated"
    )
    parser.add_argument("--playbook", default=None)
    parser.add_argument("--wrong", action="store_true", help="list labelled posts acted on wrongly")
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
    labels = read_labels(args.split)
    if labels:
        report_labelled(turns, decisions, labels, args.wrong)
    else:
        print(f"\n  no labels for {args.split} (bench/data/cdp_{args.split}_labels.jsonl)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
