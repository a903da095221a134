"""Measure the triage engine on the Twitter US Airline Sentiment set (CC BY-NC-SA 4.0, eval only).

    .venv/bin/python bench/eval_airline.py [--csv PATH] [--playbook PATH]

Credit: "Twitter US Airline Sentiment, CrowdFlower / Figure Eight Data for Everyone, via Kaggle".
The file is read where it lies (../shared/data/airline-tweets/Tweets.csv); nothing from it is
copied into the repo and nothing shipped is fitted to it. Rules were developed against rows with
an even tweet_id; the odd half is the honest figure.

How decisions map to the file's labels:
- three classes: "negative" when the engine saw a complaint, abuse or a PR risk (whatever the
  action), "positive" when it saw praise, "neutral" otherwise (questions, statements, reposts);
- complaint precision/recall/F1: "negative" against airline_sentiment == negative;
- topic agreement: over negative rows with a reason other than "Can't Tell", the engine's topic
  mapped to the file's negativereason by REASON_TOPICS below (no topic counts as a miss);
- actions decided live (each tweet on its own, at the moment it was posted): the share of
  negative rows that reach a person (any action but thank, ignore or drop), of positive rows
  handled lightly (thank, ignore or drop), and of positive rows escalated (PR, crisis or P1);
- spikes: complaints per topic per airline counted per hour and fed to the same spike detector
  with one bucket per hour (EVAL_SPIKE), so "minutes" in its settings read as hours here.
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rules.context import MemoryContext  # noqa: E402
from rules.decision import Action, Decision, Priority  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.mention import Author, Mention, Metrics  # noqa: E402
from rules.playbook import SpikeSettings, load_playbook  # noqa: E402
from rules.sentiment import sentiment  # noqa: E402
from rules.spike import SpikeState, check, observe  # noqa: E402
from rules.topic import TopicReader  # noqa: E402

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared/data/airline-tweets/Tweets.csv"

# The `airline` label "Delta" is JetBlue (README): its tweets address @JetBlue.
HANDLES = {
    "Virgin America": "virginamerica",
    "United": "united",
    "Southwest": "southwestair",
    "Delta": "jetblue",
    "US Airways": "usairways",
    "American": "americanair",
}
SHOWN = {"Delta": "JetBlue (labelled Delta)"}

# The file's complaint reasons → the general topics of the default playbook that cover them.
REASON_TOPICS = {
    "Customer Service Issue": {"customer_service"},
    "Late Flight": {"travel_disruption"},
    "Cancelled Flight": {"travel_disruption"},
    "Lost Luggage": {"delivery"},
    "Damaged Luggage": {"delivery", "product_quality"},
    "Bad Flight": {"product_quality"},
    "Flight Booking Problems": {"booking", "billing"},
    "Flight Attendant Complaints": {"staff_conduct"},
    "longlines": {"customer_service"},
}

# Spikes in the README, by (airline label, file reason, local day): expected to be flagged.
KNOWN_SPIKES = [
    ("Southwest", "Cancelled Flight", "2015-02-21"),
    ("US Airways", "Cancelled Flight", "2015-02-22"),
    ("United", "Cancelled Flight", "2015-02-22"),
    ("Delta", "Late Flight", "2015-02-22"),
]
COLD_START = ("American", "2015-02-22")  # first real day of data: must not be flagged

# The detector over hourly buckets: one bucket = one hour. Baseline half-life two days, a
# day of learning after the first 30 complaints, a 6-hour window, 2.5× the usual and at least
# 12, or 200 in 6 hours whatever the baseline; half a day of cooldown.
EVAL_SPIKE = SpikeSettings(
    window_minutes=6,
    half_life_minutes=48,
    warmup_minutes=24,
    warmup_events=30,
    min_count=12,
    ratio=2.5,
    overwhelming_count=200,
    cooldown_minutes=12,
)

# Label text leaked into the tweets when the set was reformatted (README "Pitfalls"): the words
# cancel / late / booking were replaced by reason names, also inside longer words.
LEAKS = [
    (re.compile("Cancelled Flight"), "cancel"),
    (re.compile("Late Flight"), "late"),
    (re.compile("Flight Booking Problems"), "booking"),
]


def undo_leaks(text: str) -> str:
    """ "Cancelled Flightled" → "cancelled", "Late Flightr" → "later", "reFlight Booking …" → …"""
    for pattern, word in LEAKS:
        text = pattern.sub(word, text)
    return text


@dataclass
class Row:
    tweet_id: int
    label: str
    reason: str
    airline: str
    mention: Mention


def read_rows(path: Path, fix_leaks: bool = True) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            text = html.unescape(rec["text"])
            if fix_leaks:
                text = undo_leaks(text)
            created = datetime.strptime(rec["tweet_created"], "%Y-%m-%d %H:%M:%S %z")
            mentioned = tuple(h.lower() for h in re.findall(r"@(\w{1,15})", text))
            mention = Mention(
                id=rec["tweet_id"],
                text=text,
                created_at=created,
                author=Author(id=f"u-{rec['name']}", username=rec["name"], name=rec["name"]),
                metrics=Metrics(reposts=int(rec["retweet_count"] or 0)),
                mentioned=mentioned,
            )
            rows.append(
                Row(
                    int(rec["tweet_id"]),
                    rec["airline_sentiment"],
                    rec["negativereason"],
                    rec["airline"],
                    mention,
                )
            )
    return rows


def subject(decision: Decision) -> str | None:
    """What the post is about: the topic the text reads as, which spikes count.

    An escalation's `topic` names the PR risk it pages for (legal, safety, ...); the subject
    stays in signals.topic (absent for dropped posts, which have no topic either).
    """
    return decision.signals.get("topic", decision.topic)


def three_class(decision: Decision) -> str:
    s = decision.signals
    if s.get("complaint") or s.get("abusive") or s.get("risks"):
        return "negative"
    if s.get("praise"):
        return "positive"
    return "neutral"


def vader_class(text: str) -> str:
    score = sentiment(text)
    return "negative" if score <= -0.05 else "positive" if score >= 0.05 else "neutral"


def decide_all(rows: list[Row], playbook_path: str | None) -> dict[int, Decision]:
    """Each airline's rows through its own engine and context, an hour at a time, in order."""
    playbook = load_playbook(playbook_path)
    out: dict[int, Decision] = {}
    by_airline: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_airline[row.airline].append(i)
    for airline, indexes in by_airline.items():
        engine = Engine(playbook, brand_handles=(HANDLES[airline],))
        context = MemoryContext()
        hours: dict[datetime, list[int]] = defaultdict(list)
        for i in indexes:
            hour = rows[i].mention.created_at.replace(minute=0, second=0)
            hours[hour].append(i)
        for hour in sorted(hours):
            batch = hours[hour]
            decisions = engine.decide_many(
                [rows[i].mention for i in batch], context, hour + timedelta(hours=1)
            )
            for i, decision in zip(batch, decisions, strict=True):
                out[i] = decision
    return out


def decide_live(rows: list[Row], playbook_path: str | None) -> dict[int, Decision]:
    """Each tweet decided on its own at the moment it was posted, each airline in time order."""
    playbook = load_playbook(playbook_path)
    out: dict[int, Decision] = {}
    by_airline: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_airline[row.airline].append(i)
    for airline, indexes in by_airline.items():
        engine = Engine(playbook, brand_handles=(HANDLES[airline],))
        context = MemoryContext()
        for i in sorted(indexes, key=lambda i: rows[i].mention.created_at):
            out[i] = engine.decide(rows[i].mention, context, rows[i].mention.created_at)
    return out


LIGHT = frozenset({Action.THANK, Action.IGNORE, Action.DROP})  # no agent works on it
ESCALATED = frozenset({Action.ESCALATE_PR, Action.CRISIS})  # PR paged, or a lead at once (P1)


def escalated(d: Decision) -> bool:
    return d.action in ESCALATED or d.priority is Priority.P1


def vader_action(text: str) -> tuple[bool, bool]:
    """(to a person, escalated) by VADER alone: negative to a person, -0.5 or below escalated."""
    score = sentiment(text)
    return score <= -0.05, score <= -0.5


def report_actions(name: str, rows: list[Row], idx: list[int], live: dict[int, Decision]) -> None:
    """The issue's targets: what a person sees, decided live, against VADER alone."""
    neg = [i for i in idx if rows[i].label == "negative"]
    pos = [i for i in idx if rows[i].label == "positive"]
    reached = sum(live[i].action not in LIGHT for i in neg) / len(neg)
    light = sum(live[i].action in LIGHT for i in pos) / len(pos)
    up = sum(escalated(live[i]) for i in pos) / len(pos)
    v_neg = [vader_action(rows[i].mention.text) for i in neg]
    v_pos = [vader_action(rows[i].mention.text) for i in pos]
    v_reached = sum(p for p, _ in v_neg) / len(neg)
    v_light = sum(not p for p, _ in v_pos) / len(pos)
    v_up = sum(e for _, e in v_pos) / len(pos)
    print(f"\n== actions decided live, {name}: {len(neg)} negative, {len(pos)} positive rows")
    print(
        f"  complaints reaching a person {reached:.3f} (target >= 0.92)"
        f"    | VADER alone: {v_reached:.3f}"
    )
    print(
        f"  positive handled lightly (thank, ignore, drop) {light:.3f} (target >= 0.85)"
        f"    | VADER alone: {v_light:.3f}"
    )
    print(
        f"  positive escalated (PR, crisis or P1) {up:.2%} (target <= 0.5%)"
        f"    | VADER alone (compound <= -0.5): {v_up:.2%}"
    )
    pos_actions = Counter(live[i].action.value for i in pos)
    neg_actions = Counter(live[i].action.value for i in neg)
    print("  positive rows: " + ", ".join(f"{k} {v}" for k, v in pos_actions.most_common()))
    print("  negative rows: " + ", ".join(f"{k} {v}" for k, v in neg_actions.most_common()))


def prf(pairs: Iterable[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for truth, guess in pairs:
        tp += truth and guess
        fp += guess and not truth
        fn += truth and not guess
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def report_half(name: str, rows: list[Row], idx: list[int], dec: dict[int, Decision]) -> None:
    ours = {i: three_class(dec[i]) for i in idx}
    vader = {i: vader_class(rows[i].mention.text) for i in idx}
    p, r, f = prf((rows[i].label == "negative", ours[i] == "negative") for i in idx)
    vp, vr, vf = prf((rows[i].label == "negative", vader[i] == "negative") for i in idx)
    acc = sum(ours[i] == rows[i].label for i in idx) / len(idx)
    vacc = sum(vader[i] == rows[i].label for i in idx) / len(idx)
    print(f"\n== {name}: {len(idx)} rows")
    print(
        f"  complaint (negative)  precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}"
        f"    | VADER alone: precision {vp:.3f}  recall {vr:.3f}  F1 {vf:.3f}"
    )
    print(f"  three-class accuracy  {acc:.3f}    | VADER alone: {vacc:.3f}")
    told = [i for i in idx if rows[i].label == "negative" and rows[i].reason in REASON_TOPICS]
    agreed = [i for i in told if subject(dec[i]) in REASON_TOPICS[rows[i].reason]]
    covered = sum(subject(dec[i]) is not None for i in told)
    print(
        f"  topic agreement with negativereason  {len(agreed) / len(told):.3f} of {len(told)}"
        f" (a topic given for {covered / len(told):.3f})"
    )
    per_reason = Counter(rows[i].reason for i in told)
    hits = Counter(rows[i].reason for i in agreed)
    print("    " + ", ".join(f"{k} {hits[k] / n:.2f}" for k, n in per_reason.most_common()))


def topic_only(rows: list[Row], idx: list[int], playbook_path: str | None, label: str) -> None:
    """Topic agreement from the text alone (the engine's topic reader, no context)."""
    topics = TopicReader(load_playbook(playbook_path).topics)
    told = [i for i in idx if rows[i].label == "negative" and rows[i].reason in REASON_TOPICS]
    agree = sum(topics.topic(rows[i].mention.text) in REASON_TOPICS[rows[i].reason] for i in told)
    print(f"  topic agreement {label}: {agree / len(told):.3f} of {len(told)}")


def spikes(rows: list[Row], dec: dict[int, Decision]) -> None:
    """Complaints per topic per airline per hour (local -0800 time) through the detector."""
    counts: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    for i, row in enumerate(rows):
        d = dec[i]
        topic = subject(d)
        if topic and d.signals.get("complaint") and not d.signals.get("abuse_words"):
            hour = int(row.mention.created_at.timestamp() // 3600)
            counts[(row.airline, topic)][hour] += 1
    every_hour = sorted({h for c in counts.values() for h in c})
    first, last = every_hour[0], every_hour[-1]
    tz = rows[0].mention.created_at.tzinfo
    flagged: list[tuple[str, str, str, int, float]] = []
    days: set[tuple[str, str, str]] = set()  # (airline, topic, local day) in spike at any hour
    for (airline, topic), per_hour in sorted(counts.items()):
        state = SpikeState()
        for hour in range(first, last + 1):
            n = per_hour.get(hour, 0)
            status = observe(state, EVAL_SPIKE, hour, n) if n else check(state, EVAL_SPIKE, hour)
            when = datetime.fromtimestamp(hour * 3600, tz)
            if status.in_spike:
                days.add((airline, topic, when.strftime("%Y-%m-%d")))
            if status.opened_now:
                flagged.append(
                    (airline, topic, when.strftime("%Y-%m-%d %H:00"), status.count, status.expected)
                )
    print("\n== spikes: complaints per topic per airline per hour, one detector bucket per hour")
    print(f"  settings: {EVAL_SPIKE.model_dump()}")
    for airline, topic, when, count, expected in flagged:
        name = SHOWN.get(airline, airline)
        print(f"  opened   {name:26} {topic:18} {when}  {count} in 6 h (usual {expected:.1f})")
    print("  known spikes (README), flagged when the topic was in spike during that day:")
    for airline, reason, day in KNOWN_SPIKES:
        topics = REASON_TOPICS[reason]
        hit = any((airline, t, day) in days for t in topics)
        name = SHOWN.get(airline, airline)
        print(f"    {'FLAGGED ' if hit else 'missed  '} {name} {reason} {day}")
    airline, day = COLD_START
    cold = sorted(t for a, t, d in days if a == airline and d == day)
    verdict = "not flagged (warm-up)" if not cold else f"FLAGGED on {', '.join(cold)}"
    print(f"    American's first day {day}: {verdict}")
    others = sorted(days - {(a, t, d) for a, r, d in KNOWN_SPIKES for t in REASON_TOPICS[r]})
    print(
        f"  other airline-topic-days in spike: {len(others)} of {len(counts) * 7} "
        "(airline × topic × full day)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--playbook", default=None)
    args = parser.parse_args()
    if not args.csv.is_file():
        print(
            f"Tweets.csv not found at {args.csv}: pass --csv PATH (see the README in "
            "shared/data/airline-tweets)",
            file=sys.stderr,
        )
        return 2
    rows = read_rows(args.csv)
    decisions = decide_all(rows, args.playbook)
    even = [i for i, r in enumerate(rows) if r.tweet_id % 2 == 0]
    odd = [i for i, r in enumerate(rows) if r.tweet_id % 2 == 1]
    print(
        f"Twitter US Airline Sentiment: {len(rows)} rows (leaked label text undone, "
        "HTML entities unescaped, Delta read as JetBlue)"
    )
    report_half("even tweet_id (developed against)", rows, even, decisions)
    report_half("odd tweet_id (held out: the honest figure)", rows, odd, decisions)
    report_half("all rows", rows, list(range(len(rows))), decisions)
    live = decide_live(rows, args.playbook)
    report_actions("even tweet_id (developed against)", rows, even, live)
    report_actions("odd tweet_id (held out)", rows, odd, live)
    report_actions("all rows", rows, list(range(len(rows))), live)
    leaky = read_rows(args.csv, fix_leaks=False)
    print("\n== topic with the leaked label text left in (for comparison)")
    topic_only(leaky, odd, args.playbook, "odd half, leaks left in")
    topic_only(rows, odd, args.playbook, "odd half, leaks undone")
    print("\n== actions the engine chose (all rows, each airline's own brand handle)")
    print(
        "  "
        + ", ".join(
            f"{k} {v}" for k, v in Counter(d.action.value for d in decisions.values()).most_common()
        )
    )
    spikes(rows, decisions)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
