"""Running the Slack app: Socket Mode when an app token is set, HTTP otherwise."""

from __future__ import annotations

import logging
import threading

import redis

from bot.app import build_app
from bot.casework import Casework
from bot.server import build_wsgi, serve
from bot.slack_client import SlackClient
from flare.settings import Settings
from flare.store import Store

log = logging.getLogger(__name__)


def build_casework(settings: Settings, client: redis.Redis) -> Casework:
    assert settings.slack.bot_token is not None
    slack = SlackClient(settings.slack.bot_token.get_secret_value(), settings.slack.api_url)
    allowed = frozenset(settings.slack.agents) | frozenset(settings.slack.pr_team)
    return Casework(Store(client), slack, allowed=allowed if settings.slack.agents else frozenset())


def run_bot(settings: Settings, client: redis.Redis, host: str, port: int) -> None:
    assert settings.slack.bot_token is not None and settings.slack.signing_secret is not None
    casework = build_casework(settings, client)
    app = build_app(
        casework,
        settings.slack.signing_secret.get_secret_value(),
        settings.slack.bot_token.get_secret_value(),
    )
    if settings.slack.app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        # /healthz and /metrics still answer over HTTP while Slack talks over the socket
        wsgi = build_wsgi(None, client)
        threading.Thread(target=serve, args=(wsgi, host, port), daemon=True).start()
        log.warning("Slack Socket Mode; health on http://%s:%d/healthz", host, port)
        SocketModeHandler(app, settings.slack.app_token.get_secret_value()).start()
    else:
        log.warning("Slack over HTTP at http://%s:%d/slack/events", host, port)
        serve(build_wsgi(app, client), host, port)
