"""Routes and folds with the stand-in Slack refusing posts above a channel's rate, through the
real slack_sdk: each card goes to its route's channel with its own budget, and a line longer
than its cards' targets folds its least urgent into one "N more waiting" card, edited in
place, whose cases keep their timers, stay in the queue and come back as the line shortens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from pydantic import SecretStr

from cli import wiring
from cli.standin import SlackStandIn
from cli.worker import run_until_done
from flare import keys
from flare.jobs import Job
from flare.queries import Queries
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from rules.decision import Action, Priority
from tests.builders import decision, mention
from tests.conftest import SIGNING_SECRET
from tests.waiting import eventually
from tests.workers.test_timers import scheduled
from workers import fold, jobs, runtime, timers
from workers.runtime import Runtime

PER_SECOND = 5  # Flare's pace here, and the rate above which the stand-in answers 429


@dataclass
class Clock:
    """The real time (RQ's scheduler runs timers by it), moved on by `ahead`."""

    start: datetime = field(default_factory=lambda: datetime.now(UTC))
    ahead: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rt(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    clock: Clock,
) -> Iterator[Runtime]:
    fake_slack.rate_limit = PER_SECOND  # Slack's own limit, as bench/flood.py sets it
    settings = Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        slack={
            "bot_token": SecretStr("xoxb-test"),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.base_url,
            "alerts_channel": "C0ALERTS",
            "pr_channel": "C0PR",
            "routes": "P1=C0URGENT,billing=C0BILLING",
            "leads": ("U0LEAD",),
            "redraw_gap_ms": 0,
            "fold_edit_gap_ms": 0,
            "send_per_second": PER_SECOND,
        },
    )
    yield runtime.install(wiring.build_runtime(settings, redis_client, clock=clock))


def case(
    rt: Runtime,
    id: str,
    priority: Priority = Priority.P3,
    due_in: float = 1800,
    action: Action = Action.RESPOND,
    **extra: object,
) -> str:
    start = rt.clock.start  # type: ignore[attr-defined]
    m = mention(id=id, username=f"user{id}", created_at=start - timedelta(minutes=5))
    due = start + timedelta(seconds=due_in)
    rt.store.save(m, decision(m, action, priority, due=due, **extra), start)
    return id


def posted_now(job: object, *args: str) -> str:
    """Run a posting job until the channel's budget has a slot for it."""
    return eventually(lambda: (said := job(*args)) != "deferred" and said)  # type: ignore[operator]


def cards_in(slack: SlackStandIn, channel: str) -> list[str]:
    """The cases carded in a channel, in the order Slack took them."""
    return [
        c.args["metadata"]["event_payload"]["case"]
        for c in slack.calls_to("chat.postMessage")
        if c.status == 200
        and c.args.get("channel") == channel
        and (c.args.get("metadata") or {}).get("event_payload", {}).get("case")
    ]


def fold_posts(slack: SlackStandIn, channel: str) -> list[str]:
    """The ts of each "N more waiting" card posted in the channel (as it reads now)."""
    return [
        ts
        for (where, ts), m in slack.messages.items()
        if where == channel
        and not m.get("thread_ts")
        and ("more case" in m["text"] or "Nothing more waiting" in m["text"])
    ]


def fold_text(slack: SlackStandIn, channel: str) -> str:
    (ts,) = fold_posts(slack, channel)
    return json.dumps(slack.messages[(channel, ts)]["blocks"], ensure_ascii=False)


def folded(rt: Runtime, channel: str = "C0ALERTS") -> list[str]:
    return [raw.decode() for raw in rt.redis.zrange(keys.send_folded(channel), 0, -1)]


# routes ------------------------------------------------------------------------------------
def test_a_card_goes_to_the_channel_its_priority_is_routed_to_and_its_thread_follows(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    urgent = case(rt, "1", Priority.P1, action=Action.PRIORITY)

    assert posted_now(jobs.notify_case, urgent) == "posted"
    run_until_done(rt.redis, within=20)
    rt.clock.ahead = timedelta(minutes=31)  # type: ignore[attr-defined]
    assert posted_now(jobs.check_due, urgent) == "nudged"

    assert rt.store.card(urgent)[0] == "C0URGENT"  # type: ignore[index]
    ts = rt.store.card(urgent)[1]  # type: ignore[index]
    thread = [m["text"] for (ch, _), m in fake_slack.messages.items() if m.get("thread_ts") == ts]
    assert thread[0].startswith("👀 <@U0LEAD>: a priority case (P1)")  # the heads-up
    assert thread[1].startswith("⏰ Overdue")
    assert all(ch == "C0URGENT" for (ch, _), m in fake_slack.messages.items())


def test_a_card_goes_to_the_channel_its_topic_is_routed_to_and_the_rest_to_alerts(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    billing = case(rt, "1", topic="billing")
    other = case(rt, "2", topic="delivery")
    risk = case(rt, "3", Priority.P1, action=Action.ESCALATE_PR, topic="billing")

    for case_id in (billing, other, risk):
        assert posted_now(jobs.notify_case, case_id) == "posted"

    assert [rt.store.card(c)[0] for c in (billing, other, risk)] == [  # type: ignore[index]
        "C0BILLING",
        "C0ALERTS",
        "C0PR",
    ]


def test_each_channel_spends_its_own_budget(rt: Runtime, fake_slack: SlackStandIn) -> None:
    first, second = case(rt, "1"), case(rt, "2")
    billing = case(rt, "3", topic="billing")

    assert jobs.notify_case(first) == "posted"
    assert jobs.notify_case(billing) == "posted"  # another channel: not behind the first
    assert jobs.notify_case(second) == "waiting"  # the same channel: at its next slot
    run_until_done(rt.redis, within=20)

    assert cards_in(fake_slack, "C0ALERTS") == [first, second]
    assert all(c.status == 200 for c in fake_slack.calls_to("chat.postMessage"))


def test_a_case_routed_elsewhere_while_it_waited_is_carded_in_its_new_channel_only(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    first, moved = case(rt, "1"), case(rt, "2")
    assert jobs.notify_case(first) == "posted"
    assert jobs.notify_case(moved) == "waiting"

    later = mention(id="2b", username="user2", created_at=rt.clock())
    rt.casework.followed_up(moved, later, decision(later, topic="billing"))
    run_until_done(rt.redis, within=20)

    assert cards_in(fake_slack, "C0ALERTS") == [first]
    assert cards_in(fake_slack, "C0BILLING") == [moved]


# folds -------------------------------------------------------------------------------------
def a_long_line(rt: Runtime) -> tuple[list[str], list[str]]:
    """Four P3 cards with half an hour to go, and three P4 cards whose targets are a third of a
    second off: at five posts a second, the line reaches them too late."""
    p3 = [case(rt, f"p3-{i}") for i in range(4)]
    p4 = [case(rt, f"p4-{i}", Priority.P4, due_in=0.3 + i / 100) for i in range(3)]
    for case_id in p3 + p4:
        jobs.notify_case(case_id)
    return p3, p4


def test_the_least_urgent_cards_fold_into_one_card_listing_them(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    p3, p4 = a_long_line(rt)

    fold.review(rt, "C0ALERTS")

    assert folded(rt) == p4  # the most urgent first: the next one pulled
    waiting = [raw.decode() for raw in rt.redis.zrange(keys.send_waiting("C0ALERTS"), 0, -1)]
    assert set(waiting) == set(p3) - set(cards_in(fake_slack, "C0ALERTS"))
    assert posted_now(fold.draw_fold, "C0ALERTS") == "posted"
    shown = fold_text(fake_slack, "C0ALERTS")
    assert "3 more cases waiting" in shown
    assert "🟢 P4 · @userp4-0 · “@acme my order never arrived” · 5 min old" in shown
    assert "Pull the next one" in shown


def test_folded_cases_keep_their_timers_and_stay_in_the_queue(rt: Runtime) -> None:
    _, p4 = a_long_line(rt)

    fold.review(rt, "C0ALERTS")

    assert all(rt.casework.timers.breach_at(c) is not None for c in p4)  # armed all the same
    queued = [c.id for c in Queries(rt.redis).open_by_priority()[Priority.P4]]
    assert queued == p4
    rt.clock.ahead = timedelta(seconds=1)  # type: ignore[attr-defined]
    token = rt.redis.hget(keys.case_timers(p4[0]), "want:breach")
    assert token is not None
    # its line on the fold card says it is late; the breach is told under its card, once posted
    assert timers.breach(p4[0], token.decode()) == "waiting for its card"
    again = [
        when
        for when, args in scheduled(rt, Job.BREACH)
        if args == (p4[0], token.decode()) and when > rt.clock() + timers.CARD_WAIT
    ]
    assert again  # folded: it looks again in minutes, not every minute (a flood folds thousands)


def test_the_fold_card_is_edited_in_place_and_its_cases_come_back_as_the_line_shortens(
    rt: Runtime, fake_slack: SlackStandIn
) -> None:
    p3, p4 = a_long_line(rt)
    fold.review(rt, "C0ALERTS")
    posted_now(fold.draw_fold, "C0ALERTS")

    run_until_done(rt.redis, within=30)

    assert cards_in(fake_slack, "C0ALERTS") == p3 + p4  # every card, most urgent first
    (ts,) = fold_posts(fake_slack, "C0ALERTS")  # posted once ...
    edits = [c for c in fake_slack.calls_to("chat.update") if c.args.get("ts") == ts]
    assert edits and "Nothing more waiting" in edits[-1].args["text"]  # ... then edited
    assert folded(rt) == [] and not rt.redis.exists(keys.fold_card("C0ALERTS"))
    assert all(c.status == 200 for c in fake_slack.calls_to("chat.postMessage"))


def test_a_line_its_targets_allow_folds_nothing(rt: Runtime, fake_slack: SlackStandIn) -> None:
    for i in range(6):
        jobs.notify_case(case(rt, str(i)))

    run_until_done(rt.redis, within=30)

    assert len(cards_in(fake_slack, "C0ALERTS")) == 6
    assert fake_slack.calls_to("chat.update") == [] and fold_posts(fake_slack, "C0ALERTS") == []
