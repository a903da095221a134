"""The App Home tab over HTTP: a signed app_home_opened event publishes the user's view."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import redis
import requests
from slack_bolt import App

from bot import home
from bot.app import bolt_app, slack_routes
from bot.slack_client import SlackClient
from cli.standin import Call, SlackStandIn
from flare.http import router
from flare.queries import Queries
from flare.store import Store
from flare.team import Team
from rules.decision import Priority
from tests.builders import NOON, decision, mention
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack import signed_headers
from tests.waiting import eventually


def home_opened(url: str, user: str, tab: str = "home", secret: str = SIGNING_SECRET) -> int:
    """POST an app_home_opened event the way Slack's Events API does: JSON, signed."""
    body = json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": "T0FLARE",
            "api_app_id": "A0FLARE",
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D0FLAREDM",
                "tab": tab,
                "event_ts": f"{time.time():.6f}",
            },
        }
    )
    headers = {**signed_headers(secret, body), "Content-Type": "application/json"}
    return requests.post(f"{url}/slack/events", data=body, headers=headers, timeout=10).status_code


def build_bot(client: redis.Redis, slack: SlackStandIn, team: Team | None = None) -> App:
    """An app wired like bot.app.build_app, with only the Home tab listener on it."""
    slack_client = SlackClient("xoxb-test", slack.base_url)
    app = bolt_app(slack_client.web, SIGNING_SECRET, "xoxb-test")
    home.register(app, Queries(client), slack_client, clock=lambda: NOON, team=team)
    return app


@pytest.fixture
def bot_url(
    redis_client: redis.Redis, fake_slack: SlackStandIn, serve_wsgi: Callable[[Any], str]
) -> str:
    return serve_wsgi(
        router(redis_client, slack_routes(build_bot(redis_client, fake_slack), SIGNING_SECRET))
    )


def _case(store: Store, id: str, priority: Priority = Priority.P3) -> str:
    m = mention(id)
    store.save(m, decision(m, priority=priority, due=NOON + timedelta(minutes=30)))
    return m.id


def _published(slack: SlackStandIn) -> Call:
    return eventually(lambda: slack.calls_to("views.publish")[-1])


def test_opening_home_publishes_my_cases_then_the_queue(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    store = Store(redis_client)
    store.claim(_case(store, "mine", Priority.P2), "U0AGENT1")
    _case(store, "urgent", Priority.P1)

    assert home_opened(bot_url, "U0AGENT1") == 200

    call = _published(fake_slack)
    assert call.token == "xoxb-test"
    assert call.args["user_id"] == "U0AGENT1"
    view = call.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert text.index("*Your cases (1)*") < text.index("status/mine") < text.index("*Queue (2")
    assert "🔴 *P1* · 1" in text


def test_each_user_gets_their_own_home(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    store = Store(redis_client)
    store.claim(_case(store, "theirs"), "U0AGENT2")

    home_opened(bot_url, "U0AGENT1")

    call = _published(fake_slack)
    assert call.args["user_id"] == "U0AGENT1"
    assert "*Your cases (0)*" in json.dumps(call.args["view"], ensure_ascii=False)


def test_opening_the_messages_tab_publishes_nothing(bot_url: str, fake_slack: SlackStandIn) -> None:
    assert home_opened(bot_url, "U0AGENT1", tab="messages") == 200
    assert home_opened(bot_url, "U0AGENT2") == 200

    assert _published(fake_slack).args["user_id"] == "U0AGENT2"
    assert [c.args["user_id"] for c in fake_slack.calls_to("views.publish")] == ["U0AGENT2"]


def test_a_forged_home_event_is_rejected(bot_url: str, fake_slack: SlackStandIn) -> None:
    assert home_opened(bot_url, "U0AGENT1", secret="not-the-secret") == 401
    assert fake_slack.calls_to("views.publish") == []


def test_someone_not_on_the_agents_list_sees_why_and_nothing_of_the_queue(
    redis_client: redis.Redis, fake_slack: SlackStandIn, serve_wsgi: Callable[[Any], str]
) -> None:
    _case(Store(redis_client), "secret-case", Priority.P1)
    team = Team(agents=frozenset({"U0AGENT1"}))
    app = build_bot(redis_client, fake_slack, team)
    url = serve_wsgi(router(redis_client, slack_routes(app, SIGNING_SECRET)))

    assert home_opened(url, "U0STRANGER") == 200

    call = _published(fake_slack)
    text = json.dumps(call.args["view"], ensure_ascii=False)
    assert call.args["user_id"] == "U0STRANGER"
    assert "not on the list of agents" in text
    assert "Queue" not in text and "my order" not in text
