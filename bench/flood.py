"""A flood, end to end: thousands of complaints on one topic against a rate-limited Slack.

    .venv/bin/python bench/flood.py                     # 5,000 flood + 500 others in 60 s
    .venv/bin/python bench/flood.py --flood 20000 --others 2000 --seconds 120   # issue 10's size

What runs is Flare as deployed, on this machine: an embedded Redis in a temporary directory,
`flare worker` processes (`--workers`, default 1: a process per lane each), Flare's Slack
stand-in on 127.0.0.1 answering 429 with Retry-After above one post per second per channel
(bursts of two), and a playbook whose crisis plan pages a Slack user for the flood topic (a DM)
and another for any other topic. Mentions are submitted through `Intake.submit` in real time:
`--lead` seconds of ordinary traffic, then `--seconds` of the flood (an app outage, many authors,
varied words) mixed with the others, and `--p1` PR-risk posts (legal, safety, media) on other
topics spread through the flood. Then the workers get up to `--drain` seconds to catch up.

It prints, with the targets of issues 10 and 18 beside them: seconds from onset (the first
flood mention submitted) to the first page, Slack posts per channel per second at peak, 429s,
mentions stored and counted on the incident, P1 card delivery (submit to chat.postMessage of
their card), incidents opened (and their topics), incident card edits per minute, and jobs
failed; then which targets are missed. It sends nothing anywhere but 127.0.0.1.
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
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
import yaml  # noqa: E402
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry  # noqa: E402

from cli.standin import Call, SlackStandIn  # noqa: E402
from flare import keys  # noqa: E402
from flare.incidents import Incidents  # noqa: E402
from flare.queues import QueueName, all_queues, queue  # noqa: E402
from flare.redis_server import EmbeddedRedis  # noqa: E402
from rules.context import MemoryContext  # noqa: E402
from rules.decision import Priority  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.mention import Author, Mention, Metrics  # noqa: E402
from rules.playbook import default_playbook_path, load_playbook  # noqa: E402
from rules.screen import Screen  # noqa: E402
from workers.intake import Intake, IntakeReport  # noqa: E402

SAMPLE = ROOT / "cli" / "samples" / "demo.jsonl"
TOPIC = "outage"
ALERTS, PR = "C0ALERTS", "PR0CHANNEL"
ON_CALL = {TOPIC: "U0OUTAGE", "default": "U0ONCALL"}  # who the crisis plan pages on Slack
TICK = 0.25  # seconds between two submissions of what is due

# Targets (issue 10, issue 18)
P1_MAX_S = 5.0  # P1 cards on other topics during the flood: at most 5 s
P1_P99_S = 10.0  # PR-risk cards: at most 10 s at p99
EDITS_PER_MIN = 20  # incident card edits per minute, at most
POSTS_PER_S = 1  # Slack: about one post per second per channel

FLOOD_TEXTS = [
    "@acme app down again",
    "@acme is the app down? it's not loading",
    "@acme your app keeps crashing",
    "@acme site down for anyone else?",
    "@acme app not working, error message every time",
    "@acme outage again?? nothing works",
    "@acme the app won't load at all",
    "@acme getting a 503 from the app",
    "@acme app stopped working this morning",
    "@acme everything is down, fix it",
    "@acme service outage again, unbelievable",
    "@acme app is down and I need it now",
]
FLOOD_TAILS = ["", " again", " 😡", " !!", " seriously", " please fix", " #fail", " ?", " 🙄"]
P1_TEXTS = [
    "@acme you charged me twice and ignore me, my lawyer will be in touch",
    "@acme the charger you sold me caught fire in my kitchen",
    "@acme I'm taking you to small claims over my lost parcel",
    "@acme I'm a reporter writing a story about your refund policy, comment?",
    "@acme your delivery driver assaulted my neighbour",
    "@acme filing a complaint with the ombudsman about your billing",
]


@dataclass
class Plan:
    """The mentions, in the order they are due, with when (seconds from the start)."""

    due: list[tuple[float, Mention]]
    flood: set[str]
    p1: set[str]


def _author(rng: random.Random, pool: int, prefix: str) -> Author:
    n = rng.randint(1, pool)
    return Author(
        id=f"{prefix}{n}",
        username=f"{prefix}_user{n}",
        name=f"User {n}",
        followers=int(rng.paretovariate(1.2) * 40),
        verified=rng.random() < 0.002,
    )


def _decide(engine: Engine, mentions: list[Mention]) -> list[Any]:
    return engine.decide_many(mentions, MemoryContext(), datetime.now(UTC))


def make_plan(args: argparse.Namespace, engine: Engine) -> Plan:
    """Flood, others and P1 posts with their offsets; ids unique, authors varied."""
    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    window = (args.lead, args.lead + args.seconds)
    seq = iter(range(1_950_000_000_000_000_000, 2_000_000_000_000_000_000))

    def mention(text: str, author: Author) -> Mention:
        return Mention(
            id=str(next(seq)),
            text=text,
            created_at=now,
            author=author,
            lang="en",
            metrics=Metrics(likes=rng.randint(0, 3)),
            mentioned=("acme",),
        )

    due: list[tuple[float, Mention]] = []
    flood: set[str] = set()
    for i in range(args.flood):
        text = f"{rng.choice(FLOOD_TEXTS)}{rng.choice(FLOOD_TAILS)} #{rng.randint(1, 9999)}"
        m = mention(text, _author(rng, max(args.flood, 1) * 2, "f"))
        flood.add(m.id)
        due.append((window[0] if i == 0 else rng.uniform(*window), m))

    # the demo's ordinary mix, without what is about the flood topic or a PR risk
    base = [Mention.model_validate(json.loads(line)) for line in SAMPLE.read_text().splitlines()]
    ordinary = [
        m
        for m, d in zip(base, _decide(engine, base), strict=True)
        if d.topic != TOPIC and not d.risks and d.priority is not Priority.P1
    ]
    for _ in range(args.others):
        m = rng.choice(ordinary)
        text = f"{m.text} {rng.choice(FLOOD_TAILS)} #{rng.randint(1, 9999)}"
        o = mention(text, _author(rng, max(args.others, 1) * 2, "o"))
        due.append((rng.uniform(0, window[1]), o))

    p1: set[str] = set()
    for i in range(args.p1):
        text = f"{P1_TEXTS[i % len(P1_TEXTS)]} (ref {i + 1})"
        m = mention(text, _author(rng, 1000, "p"))
        p1.add(m.id)
        spread = window[0] + (i + 0.5) * args.seconds / max(args.p1, 1)  # evenly through it
        due.append((spread, m))
    stray = [d for d in _decide(engine, [m for _, m in due if m.id in p1]) if d.topic == TOPIC]
    assert not stray, "a P1 post of the bench is about the flood topic"
    due.sort(key=lambda pair: pair[0])
    return Plan(due, flood, p1)


def write_playbook(path: Path) -> Path:
    """The default playbook with a crisis plan that pages on Slack: the flood topic's contact,
    and for any other topic (an incident there is a false one in this bench) another."""
    plan = yaml.safe_load(default_playbook_path().read_text())
    contacts = plan["crisis"]["contacts"]
    contacts[TOPIC] = [{"name": "Outage on call", "slack": ON_CALL[TOPIC]}]
    contacts["default"] = [{"name": "PR on call", "slack": ON_CALL["default"]}]
    plan["crisis"]["ack_within"] = "10m"  # one step within the run
    path.write_text(yaml.safe_dump(plan, sort_keys=False))
    return path


def worker_env(redis_url: str, data_dir: Path, playbook: Path, slack_url: str) -> dict[str, str]:
    """`flare worker`'s settings, and nothing else of ours from this shell (no pager, no SMTP,
    no X: nothing leaves 127.0.0.1)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    env.update(
        FLARE_REDIS_URL=redis_url,
        FLARE_DATA_DIR=str(data_dir),
        FLARE_PLAYBOOK=str(playbook),
        FLARE_BRAND__HANDLES="acme",
        FLARE_SLACK__BOT_TOKEN="xoxb-bench",
        FLARE_SLACK__SIGNING_SECRET="bench-secret",
        FLARE_SLACK__API_URL=slack_url,
        FLARE_SLACK__ALERTS_CHANNEL=ALERTS,
        FLARE_SLACK__PR_CHANNEL=PR,
        FLARE_SLACK__LEADS="U0LEAD",
        FLARE_SLACK__PR_TEAM="U0PR",
    )
    return env


def start_workers(n: int, env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    flare = shutil.which("flare", path=str(Path(sys.executable).parent))
    command = [flare] if flare else [sys.executable, "-c", "from cli.main import main; main()"]
    command += ["worker"]
    procs = []
    for i in range(n):
        log = (logs / f"worker-{i}.log").open("wb")
        procs.append(
            subprocess.Popen(command, env=env, cwd=logs, stdout=log, stderr=subprocess.STDOUT)
        )
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)  # RQ's warm shutdown: the job in hand finishes
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def triage_busy(client: redis.Redis) -> int:
    """Triage jobs queued or running."""
    q = queue(client, QueueName.TRIAGE)
    return int(q.count) + len(StartedJobRegistry(queue=q).get_job_ids())


def cards_of(standin: SlackStandIn, ids: set[str], channel: str) -> dict[str, float]:
    """When each of these cases' card went up: a chat.postMessage (not in a thread) naming it."""
    found: dict[str, float] = {}
    for c in standin.calls_to("chat.postMessage"):
        if c.status != 200 or c.args.get("channel") != channel or c.args.get("thread_ts"):
            continue
        text = json.dumps(c.args)
        for case_id in ids - found.keys():
            if case_id in text:
                found[case_id] = c.at
    return found


def peak_per_second(calls: list[Call]) -> tuple[int, str]:
    """The most calls to one channel within one clock second, and that channel."""
    bins: Counter[tuple[str, int]] = Counter()
    for c in calls:
        if channel := str(c.args.get("channel", "")):
            bins[(channel, int(c.at))] += 1
    if not bins:
        return 0, "-"
    (channel, _), most = bins.most_common(1)[0]
    return most, channel


def most_in_a_minute(times: list[float]) -> int:
    """The most of these moments within any 60 s."""
    times, best, lo = sorted(times), 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > 60:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def kind_of(c: Call) -> str:
    channel = str(c.args.get("channel", ""))
    if c.method != "chat.postMessage":
        return c.method
    if channel.startswith("D"):
        return "page DM"
    if c.args.get("thread_ts"):
        return "thread line"
    return "card" if c.args.get("blocks") else "text in channel"


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="flare-flood-") as tmp_name:
        tmp = Path(tmp_name)
        playbook_path = write_playbook(tmp / "playbook.yaml")
        engine = Engine(load_playbook(playbook_path), brand_handles=("acme",))
        plan = make_plan(args, engine)
        total = len(plan.due)

        server = EmbeddedRedis(tmp / "redis")
        client = redis.Redis.from_url(server.acquire())
        standin = SlackStandIn(rate_limit=1.0, rate_burst=2.0).start()
        env = worker_env(server.url, tmp / "data", playbook_path, standin.base_url)
        args.playbook = playbook_path
        procs = start_workers(args.workers, env, tmp)
        print(
            f"flood: {len(plan.flood):,} on {TOPIC} in {args.seconds:g} s after {args.lead:g} s "
            f"of ordinary traffic; {args.others:,} others; {len(plan.p1)} P1; "
            f"{args.workers} `flare worker`{'s' * (args.workers != 1)} (a process per lane); "
            f"{os.cpu_count()} CPUs"
        )
        try:
            submitted, onset, triage_done, submit_end = _feed(args, client, plan, standin)
        finally:
            stop_workers(procs)
        try:
            report = _measure(args, client, standin, plan, submitted, onset)
            report["triage caught up"] = triage_done - submit_end if triage_done else None
            report["total"] = total
            _print(args, plan, report)
            if report["failed"]:
                print(f"\nworker logs: {tmp} (kept while this prints)")
                for log in sorted(tmp.glob("worker-*.log")):
                    tail = log.read_text(errors="replace").strip().splitlines()[-5:]
                    print(f"  {log.name}: " + "\n    ".join(tail))
            return 0
        finally:
            standin.stop()
            client.close()
            server.release()


def _feed(
    args: argparse.Namespace, client: redis.Redis, plan: Plan, standin: SlackStandIn
) -> tuple[dict[str, float], float, float | None, float]:
    """Submit the mentions as they fall due, then let the workers catch up (at most --drain s).
    Returns the submit time of each P1 post, the onset, when triage caught up, and when
    submitting ended."""
    intake = Intake(client, screen=Screen(load_playbook(args.playbook)))  # as `flare listen` does
    report = IntakeReport()
    submitted: dict[str, float] = {}
    onset = 0.0
    start = time.time()
    i, next_note = 0, start + 10
    while i < len(plan.due):
        elapsed = time.time() - start
        batch = []
        while i < len(plan.due) and plan.due[i][0] <= elapsed:
            batch.append(plan.due[i][1])
            i += 1
        if batch:
            now = datetime.now(UTC)
            at = time.time()
            intake.submit([m.model_copy(update={"created_at": now}) for m in batch], report)
            for m in batch:
                if m.id in plan.p1:
                    submitted[m.id] = at
                if not onset and m.id in plan.flood:
                    onset = at
        if time.time() >= next_note:
            next_note += 10
            _note(client, standin, start, f"{i:,}/{len(plan.due):,} submitted")
        time.sleep(max(0.0, TICK - (time.time() - start - elapsed)))
    submit_end = time.time()
    assert report.new == len(plan.due), f"intake took {report.new} of {len(plan.due)}"
    deadline = submit_end + args.drain
    triage_done: float | None = None
    while time.time() < deadline:
        if triage_done is None and not triage_busy(client):
            triage_done = time.time()
        carded = cards_of(standin, plan.p1, PR)
        paged = any(c.args.get("channel") == "D" + ON_CALL[TOPIC][1:] for c in standin.calls)
        if triage_done and len(carded) == len(plan.p1) and (paged or not plan.flood):
            break
        if time.time() >= next_note:
            next_note += 10
            _note(client, standin, start, "draining")
        time.sleep(0.5)
    return submitted, onset, triage_done, submit_end


def _note(client: redis.Redis, standin: SlackStandIn, start: float, what: str) -> None:
    stored = int(client.hget(keys.stats(), "mentions") or 0)
    depth = ", ".join(f"{q.name} {q.count}" for q in all_queues(client))
    print(
        f"  {time.time() - start:5.0f} s: {what}; stored {stored:,}; queued: {depth}; "
        f"Slack calls {len(standin.calls):,}",
        flush=True,
    )


def _measure(
    args: argparse.Namespace,
    client: redis.Redis,
    standin: SlackStandIn,
    plan: Plan,
    submitted: dict[str, float],
    onset: float,
) -> dict[str, Any]:
    calls = list(standin.calls)
    r: dict[str, Any] = {}
    dm = {topic: "D" + user[1:] for topic, user in ON_CALL.items()}  # the stand-in's DM ids
    pages = [c for c in calls if c.status == 200 and c.args.get("channel") == dm[TOPIC]]
    pages_cards = [c for c in pages if c.method == "chat.postMessage"]
    r["first page"] = pages_cards[0].at - onset if pages_cards and onset else None
    r["false pages"] = sum(
        1
        for c in calls
        if c.method == "chat.postMessage" and c.args.get("channel") == dm["default"]
    )
    posts = [c for c in calls if c.method == "chat.postMessage"]
    r["peak posts"] = peak_per_second(posts)
    r["peak calls"] = peak_per_second(calls)
    limited = [c for c in calls if c.status == 429]
    r["429"] = len(limited)
    r["429 by kind"] = Counter(f"{kind_of(c)} in {c.args.get('channel')}" for c in limited)
    r["stored"] = int(client.hget(keys.stats(), "mentions") or 0)
    incidents = Incidents(client)
    flood_incident = incidents.get(TOPIC)
    r["counted"] = flood_incident.count if flood_incident else 0
    r["decided"] = {
        "flood": _decided(client, plan.flood),
        "others": _decided(client, {m.id for _, m in plan.due} - plan.flood - plan.p1),
        "P1": _decided(client, plan.p1),
    }
    carded = cards_of(standin, plan.p1, PR)
    r["p1 delays"] = sorted(carded[i] - submitted[i] for i in carded if i in submitted)
    r["p1 missing"] = len(plan.p1) - len(r["p1 delays"])
    opened: dict[str, int] = {}
    by_spike: list[str] = []
    for raw_topic in client.smembers(keys.incidents_open()):
        topic = raw_topic.decode()
        found = incidents.get(topic)
        opened[topic] = found.count if found else 0
        if found and found.cause.startswith("a spike"):
            by_spike.append(topic)
    r["incidents"] = opened
    r["by spike"] = sorted(by_spike)
    edits = 0
    for topic in opened:
        where = client.hgetall(keys.incident_card(topic))
        if where:
            channel, ts = where[b"channel"].decode(), where[b"ts"].decode()
            times = [
                c.at
                for c in calls
                if c.method == "chat.update"
                and c.args.get("channel") == channel
                and str(c.args.get("ts")) == ts
            ]
            edits = max(edits, most_in_a_minute(times))
    r["edits"] = edits
    failed: Counter[str] = Counter()
    for q in all_queues(client):
        if lost := len(FailedJobRegistry(queue=q).get_job_ids()):
            failed[q.name] = lost
    r["failed"] = sum(failed.values())
    r["failed by queue"] = failed
    r["scheduled"] = {
        q.name: int(client.zcard(ScheduledJobRegistry(queue=q).key)) for q in all_queues(client)
    }
    r["backlog"] = {
        channel: int(client.zcard(keys.send_waiting(channel))) for channel in (ALERTS, PR)
    }
    r["queued"] = {q.name: int(q.count) for q in all_queues(client)}
    by_channel: dict[str, int] = defaultdict(int)
    for c in posts:
        if c.status == 200:
            by_channel[kind_of(c)] += 1
    r["posts by kind"] = dict(by_channel)
    return r


def _decided(client: redis.Redis, ids: set[str]) -> Counter[str]:
    """How the workers decided these mentions: topic (action)."""
    pipe = client.pipeline()
    for case_id in ids:
        pipe.hget(keys.case(case_id), "decision")
    found: Counter[str] = Counter()
    for raw in pipe.execute():
        decision = json.loads(raw) if raw else None
        found[f"{decision['topic']} ({decision['action']})" if decision else "not stored"] += 1
    return found


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def _print(args: argparse.Namespace, plan: Plan, r: dict[str, Any]) -> None:
    n_flood = len(plan.flood)
    delays: list[float] = r["p1 delays"]
    p99 = delays[min(len(delays) - 1, round(0.99 * (len(delays) - 1)))] if delays else None
    peak_posts, peak_channel = r["peak posts"]
    peak_calls, calls_channel = r["peak calls"]
    incidents: dict[str, int] = r["incidents"]
    by_spike: list[str] = r["by spike"]
    false = [t for t in by_spike if t != TOPIC]
    by_post = sorted(t for t in incidents if t not in by_spike)
    rows: list[tuple[str, str, str, bool | None]] = [
        ("onset → first page (DM)", _seconds(r["first page"]), "as soon as possible", None),
        (
            "Slack posts / channel / s at peak",
            f"{peak_posts} ({peak_channel})",
            f"≤ {POSTS_PER_S}",
            peak_posts <= POSTS_PER_S,
        ),
        ("  all calls / channel / s at peak", f"{peak_calls} ({calls_channel})", "", None),
        ("429s answered", f"{r['429']:,}", "none", r["429"] == 0),
        ("mentions stored", f"{r['stored']:,} of {r['total']:,}", "all", r["stored"] == r["total"]),
        (
            f"counted on the {TOPIC} incident",
            f"{r['counted']:,} of {n_flood:,}",
            "all",
            r["counted"] == n_flood,
        ),
        (
            "P1 card delivery, max",
            _seconds(max(delays) if delays and not r["p1 missing"] else None),
            f"≤ {P1_MAX_S:g} s",
            bool(delays) and not r["p1 missing"] and max(delays) <= P1_MAX_S,
        ),
        (
            "  median / p99",
            f"{_seconds(statistics.median(delays) if delays else None)} / {_seconds(p99)}",
            f"p99 ≤ {P1_P99_S:g} s",
            p99 is not None and not r["p1 missing"] and p99 <= P1_P99_S,
        ),
        (
            "  P1 cards not delivered",
            f"{r['p1 missing']} of {len(plan.p1)}",
            "none",
            r["p1 missing"] == 0,
        ),
        (
            "incidents opened by a spike",
            f"{len(by_spike)}" + (f" (false: {', '.join(false)})" if false else ""),
            "one",
            by_spike == [TOPIC],
        ),
        (
            "  by a single PR-risk post",
            f"{len(by_post)}" + (f" ({', '.join(by_post)})" if by_post else ""),
            "one per risk (issue 10)",
            None,
        ),
        (
            "  pages to the other topics' contact",
            f"{r['false pages']}",
            "none",
            r["false pages"] == 0,
        ),
        (
            "incident card edits / minute, most",
            f"{r['edits']}",
            f"≤ {EDITS_PER_MIN}",
            r["edits"] <= EDITS_PER_MIN,
        ),
        ("jobs failed (notifications lost)", f"{r['failed']}", "none", r["failed"] == 0),
    ]
    width = max(len(name) for name, *_ in rows)
    vwidth = max(len(value) for _, value, *_ in rows)
    print(f"\n{'':{width}}  {'measured':<{vwidth}}  target")
    for name, value, target, met in rows:
        mark = "" if met is None else ("  ok" if met else "  MISSED")
        print(f"{name:<{width}}  {value:<{vwidth}}  {target}{mark}")

    print("\ndetails")
    for group, decided in r["decided"].items():
        print(f"  {group} decided as: {_counts(decided)}")
    if incidents:
        print(f"  incidents (count): {_counts(Counter(incidents))}")
    if r["429 by kind"]:
        print(f"  429s: {_counts(r['429 by kind'])}")
    print(f"  posts answered ok: {_counts(Counter(r['posts by kind']))}")
    print(f"  triage caught up {_seconds(r['triage caught up'])} after the last submission")
    print(
        f"  left at the end: queued {r['queued']}; scheduled {r['scheduled']}; "
        f"cards waiting for a slot {r['backlog']}"
    )
    if r["failed"]:
        print(f"  failed jobs by queue: {_counts(r['failed by queue'])}")
    missed = [name.strip() for name, _, _, met in rows if met is False]
    print("\ntargets missed: " + (", ".join(missed) if missed else "none"))


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counter.most_common())


def main() -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(
        description=doc.split("\n\n", 2)[2] if doc.count("\n\n") >= 2 else doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Issue 10's full size: --flood 20000 --others 2000 --seconds 120 (about 3-4 "
        "minutes here; more on a busy machine).",
    )
    parser.add_argument("--flood", type=int, default=5000, help="flood mentions (default 5000)")
    parser.add_argument("--others", type=int, default=500, help="ordinary mentions (default 500)")
    parser.add_argument("--p1", type=int, default=10, help="PR-risk posts in the flood (10)")
    parser.add_argument("--seconds", type=float, default=60, help="the flood lasts (60 s)")
    parser.add_argument("--lead", type=float, default=5, help="ordinary traffic first (5 s)")
    parser.add_argument("--workers", type=int, default=1, help="`flare worker` processes (1)")
    parser.add_argument("--drain", type=float, default=60, help="most seconds to catch up (60)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if min(args.flood, args.others, args.p1) < 0 or args.seconds <= 0 or args.workers < 1:
        parser.error("sizes must be 0 or more, --seconds above 0, --workers at least 1")
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
