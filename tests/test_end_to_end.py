"""The whole pipeline: a file replayed, triaged, carded in Slack, claimed by a signed click."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

from bot.action_ids import ActionId
from bot.app import slack_routes
from cli import wiring
from cli.bot import build_app_for
from cli.standin import SlackStandIn
from cli.worker import run_workers
from flare.http import router
from flare.settings import Settings
from tests.builders import NOON
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack import block_actions, post_signed
from tests.waiting import eventually
from workers import runtime
from workers.intake import Intake

COMPLAINT = {
    "data": {
        "id": "1861111111111111111",
        "text": "@acme I was charged twice for the same order and nobody answers my emails",
        "created_at": "2026-11-20T11:50:00.000Z",
        "author_id": "501",
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 2, "quote_count": 0},
        "entities": {"mentions": [{"start": 0, "end": 5, "username": "acme"}]},
    },
    "includes": {
        "users": [
            {
                "id": "501",
                "name": "Priya N",
                "username": "priya_n",
                "public_metrics": {"followers_count": 310},
            }
        ]
    },
}


def test_a_replayed_complaint_becomes_a_card_that_an_agent_claims(
    tmp_path: Path,
    settings: Settings,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    serve_wsgi: Callable[[Any], str],
) -> None:
    runtime.install(wiring.build_runtime(settings, redis_client, clock=lambda: NOON))
    path = tmp_path / "stream.jsonl"
    path.write_text(json.dumps(COMPLAINT) + "\n{broken\n")

    report = Intake(redis_client).replay_file(path)
    run_workers(redis_client, burst=True, fork=False)

    assert (report.new, len(report.dead)) == (1, 1)
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert post.args["channel"] == "C0ALERTS"
    assert post.token == "xoxb-test"
    card_text = json.dumps(post.args["blocks"])
    assert "charged twice" in card_text and "@priya_n" in card_text
    assert ActionId.CLAIM.value in card_text

    bot = serve_wsgi(
        router(redis_client, slack_routes(build_app_for(settings, redis_client), SIGNING_SECRET))
    )
    click = block_actions(ActionId.CLAIM.value, "1861111111111111111", user="U0AGENT1")
    assert post_signed(f"{bot}/slack/events", SIGNING_SECRET, click).status_code == 200

    def redrawn() -> Any:
        run_workers(redis_client, burst=True, fork=False)  # the card is redrawn by a job
        return fake_slack.calls_to("chat.update")[-1]

    update = eventually(redrawn)
    [card] = [k for k, m in fake_slack.messages.items() if "charged twice" in json.dumps(m)]
    assert (update.args["channel"], update.args["ts"]) == card  # the card is edited in place
    assert "Claimed by <@U0AGENT1>" in json.dumps(update.args["blocks"])
    assert ActionId.CLAIM.value not in json.dumps(update.args["blocks"])
