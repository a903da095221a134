"""/flare over HTTP: a signed slash command, answered privately in the ack itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from slack_bolt import App

from bot import slash
from bot.app import bolt_app, slack_routes
from bot.slack_client import SlackClient
from cli.standin import SlackStandIn
from flare.http import router
from flare.incidents import Incidents
from flare.paging import Paging
from flare.queries import Queries
from flare.store import Store
from flare.team import Team
from rules.crisis import Chain
from rules.decision import Priority
from tests.builders import NOON, decision, mention
from tests.conftest import SIGNING_SECRET, free_port
from tests.fakes.slack import slash_command
from tests.flare.test_report import script_a_day
from tests.waiting import eventually


def build_bot(client: redis.Redis, slack: SlackStandIn, team: Team | None = None) -> App:
    """An app wired like bot.app.build_app, with only the /flare command on it."""
    app = bolt_app(SlackClient("xoxb-test", slack.base_url).web, SIGNING_SECRET, "xoxb-test")
    paging = Paging(Store(client), chain_for=lambda topic: Chain(topic=topic))
    slash.register(app, Queries(client), paging, clock=lambda: NOON, team=team)
    return app


@pytest.fixture
def bot_url(
    redis_client: redis.Redis, fake_slack: SlackStandIn, serve_wsgi: Callable[[Any], str]
) -> str:
    return serve_wsgi(
        router(redis_client, slack_routes(build_bot(redis_client, fake_slack), SIGNING_SECRET))
    )


def _case(store: Store, id: str, priority: Priority = Priority.P3, due_in: float = 30) -> str:
    m = mention(id)
    store.save(m, decision(m, priority=priority, due=NOON + timedelta(minutes=due_in)))
    return m.id


def _answer(url: str, text: str, user: str = "U0AGENT1") -> dict[str, Any]:
    response = slash_command(url, text, user=user)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["response_type"] == "ephemeral"
    return body


def test_status_answers_privately_with_the_queue_overdue_and_incidents(
    bot_url: str, redis_client: redis.Redis
) -> None:
    store = Store(redis_client)
    _case(store, "late", Priority.P1, due_in=-10)
    _case(store, "soon", Priority.P2, due_in=5)
    _case(store, "later", Priority.P4, due_in=90)
    Incidents(redis_client).join("outage", "x1", NOON)

    body = _answer(bot_url, "status")

    assert body["text"] == "Flare: 3 open, 1 overdue, 1 due soon, 1 incident"
    shown = str(body["blocks"])
    assert "*Overdue (1)*" in shown and "*Due soon (1)*" in shown and "*outage*" in shown


def test_mine_lists_only_the_callers_claims(bot_url: str, redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    store.claim(_case(store, "mine"), "U0AGENT1")
    store.claim(_case(store, "theirs"), "U0AGENT2")

    body = _answer(bot_url, "mine", user="U0AGENT1")

    assert body["blocks"][0]["text"]["text"] == "Your cases (1)"
    assert "status/mine" in str(body["blocks"]) and "theirs" not in str(body["blocks"])


def test_crisis_lists_open_incidents(bot_url: str, redis_client: redis.Redis) -> None:
    Incidents(redis_client).join("billing", "x1", NOON - timedelta(minutes=3))

    body = _answer(bot_url, "CRISIS")

    assert body["text"] == "1 open incident(s)."
    assert "🚨 *billing* · 1 complaints · open 3 min" in body["blocks"][1]["text"]["text"]


def test_no_subcommand_shows_help(bot_url: str) -> None:
    body = _answer(bot_url, "")

    assert "`/flare status`" in str(body["blocks"])
    assert "Unknown" not in str(body["blocks"])


def test_an_unknown_subcommand_is_named_and_help_follows(bot_url: str) -> None:
    body = _answer(bot_url, "escalate now")

    assert body["blocks"][0]["text"]["text"] == "Unknown subcommand `escalate`."
    assert "`/flare mine`" in body["blocks"][1]["text"]["text"]
    assert body["text"] == "Unknown subcommand 'escalate': try /flare help."


def test_a_slash_command_with_a_forged_signature_is_rejected(bot_url: str) -> None:
    response = slash_command(bot_url, "status", secret="not-the-secret")

    assert response.status_code == 401


def test_a_stale_slash_command_is_rejected(bot_url: str) -> None:
    assert slash_command(bot_url, "status", timestamp=1_600_000_000).status_code == 401


def test_the_answer_makes_no_web_api_call(bot_url: str, fake_slack: SlackStandIn) -> None:
    _answer(bot_url, "status")

    assert fake_slack.calls == []


def test_an_unknown_subcommand_cannot_ping_the_channel(bot_url: str) -> None:
    body = _answer(bot_url, "<!channel>")

    assert "<!channel>" not in json.dumps(body)
    assert body["text"] == "Unknown subcommand '&lt;!channel&gt;': try /flare help."


def test_with_redis_down_the_command_still_answers_in_time(
    fake_slack: SlackStandIn, serve_wsgi: Callable[[Any], str], redis_client: redis.Redis
) -> None:
    # the bot's client must give up fast: redis-py's default retries alone take about 3 s
    unreachable = redis.Redis(
        port=free_port(), socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
    )
    url = serve_wsgi(
        router(redis_client, slack_routes(build_bot(unreachable, fake_slack), SIGNING_SECRET))
    )

    body = _answer(url, "status")

    assert body["text"] == "Flare cannot read its queue right now; try again in a minute."


@pytest.mark.parametrize("asked", ["status", "mine", "crisis", "crisis status outage"])
def test_someone_not_on_the_agents_list_is_shown_nothing_of_the_queue(
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    serve_wsgi: Callable[[Any], str],
    asked: str,
) -> None:
    _case(Store(redis_client), "hidden", Priority.P1)
    Incidents(redis_client).join("outage", "hidden", NOON)
    team = Team(agents=frozenset({"U0AGENT1"}))
    bot = build_bot(redis_client, fake_slack, team)
    url = serve_wsgi(router(redis_client, slack_routes(bot, SIGNING_SECRET)))

    body = _answer(url, asked, user="U0STRANGER")

    assert body["text"] == "You are not on the list of agents who may act on Flare cards."
    assert "outage" not in str(body["blocks"]) and "P1" not in str(body["blocks"])
    assert "1 open" in _answer(url, "status", user="U0AGENT1")["text"]


def _report(url: str, text: str, slack: SlackStandIn) -> dict[str, Any]:
    """The ack says the numbers are coming; they follow through the command's response_url."""
    response = slash_command(url, text, response_url=f"{slack.base_url}respond")
    assert response.json() == {"text": "Counting from the audit…", "response_type": "ephemeral"}
    [answered] = eventually(lambda: slack.calls_to("respond"))
    assert answered.args["response_type"] == "ephemeral"
    return answered.args


def test_report_answers_with_the_numbers_of_the_past_day(
    bot_url: str, redis_client: redis.Redis, fake_slack: SlackStandIn
) -> None:
    script_a_day(redis_client)  # its incident opens at 13:00, after this noon

    body = _report(bot_url, "report", fake_slack)

    assert body["text"] == "Flare report, 2026-11-19 12:00 to 2026-11-20 12:00 UTC"
    numbers = body["blocks"][2]["text"]["text"]
    assert "*Breaches* 1 (P3 1)" in numbers
    assert "*First response* P1: median 10 min, 90% 10 min, 1 of 1 inside 15 min" in numbers
    assert "*Handled* <@U1> 2, <@U2> 2" in numbers
    assert "*Incidents*" not in numbers


def test_report_takes_a_span(bot_url: str, fake_slack: SlackStandIn) -> None:
    body = _report(bot_url, "report 7d", fake_slack)

    assert body["text"].startswith("Flare report, 2026-11-13 12:00")


def test_report_refuses_what_is_not_a_span(bot_url: str, fake_slack: SlackStandIn) -> None:
    body = _report(bot_url, "report soon", fake_slack)

    assert body["text"] == "`soon` is not a span: try `/flare report 7d` or `12h`."
