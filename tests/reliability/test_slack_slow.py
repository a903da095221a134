"""Clicks arriving together while Slack answers slowly are all acknowledged within Slack's 3 s."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis

from bot import card
from bot.action_ids import ActionId
from bot.app import slack_routes
from bot.slack_client import SlackClient
from cli import wiring
from cli.standin import Call, SlackStandIn
from flare.http import router
from flare.settings import Settings
from flare.store import Store
from tests.builders import NOON, decision, mention
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack import block_actions, post_signed
from tests.waiting import eventually

SLACK_DELAY = 3.0  # seconds the slow Slack takes over every Web API call
AGENTS = [f"U0AGENT{n:02}" for n in range(12)]


def test_twelve_clicks_at_once_with_slack_slow_are_all_acknowledged(
    settings: Settings,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    serve_wsgi: Callable[[Any], str],
) -> None:
    ours = settings.model_copy(
        update={"slack": settings.slack.model_copy(update={"agents": tuple(AGENTS)})}
    )
    app = wiring.build_app_for(ours, redis_client, clock=lambda: NOON)  # the product's pool
    url = serve_wsgi(router(redis_client, slack_routes(app, SIGNING_SECRET))) + "/slack/events"
    store = Store(redis_client)
    m = mention()
    store.save(m, decision(m), NOON)
    case = store.get(m.id)
    assert case is not None
    posted = SlackClient("xoxb-test", fake_slack.base_url).post_card(
        "C0ALERTS", *card.render(case, NOON)
    )
    store.set_card(m.id, posted.channel, posted.ts)

    def slow(call: Call) -> None:
        time.sleep(SLACK_DELAY)

    fake_slack.on_call = slow  # from now on each call to Slack takes 3 s

    def click(agent: str) -> int:
        payload = block_actions(
            ActionId.CLAIM.value, m.id, user=agent, channel=posted.channel, message_ts=posted.ts
        )
        return post_signed(url, SIGNING_SECRET, payload).status_code

    with ThreadPoolExecutor(len(AGENTS)) as clickers:
        statuses = list(clickers.map(click, AGENTS))

    assert statuses == [200] * len(AGENTS)  # Bolt answers 404 to a click not acked within 3 s
    holder = store.get(m.id)
    assert holder is not None and holder.claimed_by in AGENTS
    # every one who lost the race is told who holds the case, once Slack gets round to it
    eventually(lambda: len(fake_slack.calls_to("chat.postEphemeral")) == len(AGENTS) - 1, 30)
