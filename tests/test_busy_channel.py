"""A channel busier than Slack lets Flare post to, seen by the agents in it: the least urgent
cards wait on one "N more waiting" card, and an agent who presses Pull on it gets the next case
carded at once and claimed for them, through the real Bolt app with requests signed as Slack
signs them and the stand-in Slack answering through slack_sdk."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from pydantic import SecretStr

from bot.action_ids import ActionId
from cli.standin import SlackStandIn
from flare import keys
from flare.case import CaseState
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from rules.decision import Action, Priority
from tests.builders import decision, mention
from tests.conftest import SIGNING_SECRET
from tests.fakes.x_api import FakeX, fake_x
from tests.session import AGENT, OTHER_AGENT, STRANGER, Session, start_session
from tests.waiting import eventually
from workers import fold, jobs
from workers.runtime import current

__all__ = ["fake_x"]

CHANNEL = "C0ALERTS"


@pytest.fixture
def flare(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    fake_x: FakeX,
    serve_wsgi: Callable[[Any], str],
) -> Session:
    fake_slack.rate_limit = 2.0  # Slack refuses posts above the pace Flare keeps
    settings = Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        brand={"handles": ("acme",)},
        slack={
            "bot_token": SecretStr("xoxb-test"),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.base_url,
            "alerts_channel": CHANNEL,
            "pr_channel": "C0PR",
            "routes": "billing=C0BILLING",
            "agents": (AGENT, OTHER_AGENT),
            "send_per_second": 2,
            "redraw_gap_ms": 100,
            "fold_edit_gap_ms": 100,
        },
        x=fake_x.settings(),
    )
    return start_session(settings, redis_client, fake_slack, fake_x, serve_wsgi)


def late_cases(flare: Session, n: int) -> list[str]:
    """`n` complaints past their response target, most overdue first, each offered for a card."""
    now = flare.clock()
    ids = []
    for i in range(n):
        m = mention(id=f"90{i}", username=f"late{i}", created_at=now - timedelta(minutes=40))
        due = now - timedelta(minutes=10 - i)
        flare.store.save(m, decision(m, Action.RESPOND, Priority.P3, due=due), now)
        ids.append(m.id)
    return ids


def a_folded_line(flare: Session) -> tuple[list[str], tuple[str, str]]:
    """Four late cases: the first is carded, the next waits for the slot, the last two fold
    onto the channel's "N more waiting" card. Returns the cases and where that card is."""
    ids = late_cases(flare, 4)
    with flare.worker_stopped():
        for case_id in ids:
            jobs.notify_case(case_id)
        fold.review(current(), CHANNEL)
        eventually(lambda: fold.draw_fold(CHANNEL) == "posted")
    where = flare.redis.hgetall(keys.fold_card(CHANNEL))
    return ids, (where[b"channel"].decode(), where[b"ts"].decode())


def carded(flare: Session) -> list[str]:
    """Cases carded in the channel, in the order Slack took them."""
    return [
        c.args["metadata"]["event_payload"]["case"]
        for c in flare.posts_in(CHANNEL)
        if c.status == 200 and "case" in (c.args.get("metadata") or {}).get("event_payload", {})
    ]


def test_pull_cards_the_next_folded_case_at_once_claims_it_and_updates_the_fold_card(
    flare: Session,
) -> None:
    ids, where = a_folded_line(flare)
    assert "2 more cases waiting" in json.dumps(flare.slack.messages[where]["blocks"])

    with flare.worker_stopped():
        flare.click_button(AGENT, ActionId.PULL, where)
        pulled = flare.case(ids[2])  # the most urgent folded case
        assert pulled.state is CaseState.CLAIMED and pulled.claimed_by == AGENT
    edits_before = len(flare.slack.calls_to("chat.update"))
    flare.work()

    assert carded(flare)[:2] == [ids[0], ids[2]]  # ahead of the card that was waiting
    assert sorted(carded(flare)) == sorted(ids)  # and nobody's case was lost
    assert "Claimed by <@U0AGENT1>" in flare.card_text(ids[2])
    fold_edits = [
        c for c in flare.slack.calls_to("chat.update")[edits_before:] if c.args["ts"] == where[1]
    ]
    assert fold_edits, "the fold card was not edited"
    assert "@late2" not in json.dumps(fold_edits[0].args["blocks"])
    assert "Nothing more waiting" in fold_edits[-1].args["text"]
    fold_posts = [c for c in flare.posts_in(CHANNEL) if "more case" in c.args.get("text", "")]
    assert len(fold_posts) == 1  # edited in place, never posted again
    assert [e.what for e in flare.store.trail.of_case(ids[2])][:2] == ["claim", "pull"]
    assert all(c.status == 200 for c in flare.slack.calls_to("chat.postMessage"))


def test_pull_is_refused_to_someone_not_on_the_team_and_says_when_nothing_waits(
    flare: Session,
) -> None:
    ids, where = a_folded_line(flare)

    with flare.worker_stopped():
        flare.click_button(STRANGER, ActionId.PULL, where)
    assert all(flare.case(c).state is CaseState.OPEN for c in ids)
    assert flare.agent(STRANGER).was_told() == [
        "You are not on the list of agents who may act on Flare cards."
    ]

    message = copy.deepcopy(flare.slack.messages[where])  # as the agent still sees it
    flare.work()  # every folded case comes back into the line and is carded
    flare.click_button(OTHER_AGENT, ActionId.PULL, where, message)

    assert flare.agent(OTHER_AGENT).was_told() == [
        "Nothing more is waiting here: every case has its card."
    ]
