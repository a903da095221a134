"""`flare bot` told to stop (SIGTERM) finishes the clicks it acknowledged, whatever its Redis."""

from __future__ import annotations

import time
from pathlib import Path

import redis
import requests

from bot import card
from bot.action_ids import ActionId
from bot.slack_client import SlackClient
from cli.standin import Call, SlackStandIn
from flare.redis_server import EmbeddedRedis
from flare.store import Store
from tests.builders import NOON, decision, mention
from tests.conftest import SIGNING_SECRET, free_port
from tests.fakes.slack import block_actions, post_signed
from tests.reliability.processes import flare_env, kill_all, start_flare, stop
from tests.waiting import eventually

AGENT = "U0AGENT1"
SLACK_DELAY = 2.0  # seconds Slack takes to say who the agent is, once the test slows it


def healthy(url: str) -> bool:
    """The bot is serving: /healthz answers, ok or naming what it misses (no worker runs here)."""
    try:
        return requests.get(f"{url}/healthz", timeout=1).status_code in (200, 503)
    except requests.ConnectionError:
        return False


def test_the_bot_on_an_external_redis_finishes_an_acknowledged_click_after_sigterm(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
) -> None:
    store = Store(redis_client)
    m = mention()
    store.save(m, decision(m), NOON)
    case = store.get(m.id)
    assert case is not None
    posted = SlackClient("xoxb-test", fake_slack.base_url).post_card(
        "C0ALERTS", *card.render(case, NOON)
    )
    store.set_card(m.id, posted.channel, posted.ts)
    port = free_port()
    env = flare_env(
        FLARE_REDIS_URL=redis_server.url,  # not Flare's own Redis
        FLARE_DATA_DIR=str(tmp_path / "data"),
        FLARE_PORT=str(port),
        FLARE_SLACK__BOT_TOKEN="xoxb-test",
        FLARE_SLACK__SIGNING_SECRET=SIGNING_SECRET,
        FLARE_SLACK__API_URL=fake_slack.base_url,
        FLARE_SLACK__AGENTS=AGENT,
    )
    bot = start_flare(["bot"], env, tmp_path / "bot.log")
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: healthy(url), within=30)

        def click(action: ActionId) -> int:
            payload = block_actions(
                action.value, m.id, user=AGENT, channel=posted.channel, message_ts=posted.ts
            )
            return post_signed(f"{url}/slack/events", SIGNING_SECRET, payload).status_code

        assert click(ActionId.CLAIM) == 200
        eventually(lambda: (c := store.get(m.id)) is not None and c.claimed_by == AGENT)

        def slow(call: Call) -> None:
            if call.method == "users.info":
                time.sleep(SLACK_DELAY)

        fake_slack.on_call = slow
        assert click(ActionId.REPLY) == 200  # acknowledged; the form opens after Slack answers
        eventually(lambda: fake_slack.calls_to("users.info"))
        status = stop(bot)  # SIGTERM while the listener waits on Slack
    finally:
        if bot.poll() is None:
            kill_all(bot)

    log = (tmp_path / "bot.log").read_text()
    assert status == 0, log
    [opened] = fake_slack.calls_to("views.open")  # the reply form the agent clicked for
    assert m.id in str(opened.args["view"])
