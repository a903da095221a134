"""Running the Slack app: Socket Mode when an app token is set, HTTP otherwise."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

import redis
from slack_bolt import App

from bot.app import build_app
from bot.casework import Casework, utcnow
from bot.draft import check_draft, drafter_for
from bot.server import Wsgi, build_wsgi, serve
from bot.slack_client import SlackClient
from bot.team import Team
from flare import metrics
from flare.settings import Settings
from flare.store import Store
from rules.playbook import Playbook, load_playbook

log = logging.getLogger(__name__)


def team_of(settings: Settings) -> Team:
    slack = settings.slack
    return Team(frozenset(slack.agents), frozenset(slack.pr_team), frozenset(slack.leads))


def build_casework(
    settings: Settings, client: redis.Redis, playbook: Playbook, **extra: Any
) -> Casework:
    """Casework as `flare bot` and the workers use it: drafts from the playbook's templates."""
    assert settings.slack.bot_token is not None
    slack = SlackClient(settings.slack.bot_token.get_secret_value(), settings.slack.api_url)
    return Casework(
        Store(client),
        slack,
        team=team_of(settings),
        signature_format=settings.slack.signature_format,
        redraw_gap_ms=settings.slack.redraw_gap_ms,
        topics=escalation_topics(playbook),
        check_draft=check_draft,
        drafter=drafter_for(playbook),
        **extra,
    )


def escalation_topics(playbook: Playbook) -> tuple[str, ...]:
    """What an agent may escalate under: the playbook's topics, its risks and its crisis chains."""
    names = [t.name for t in playbook.topics] + [*playbook.risks, *playbook.crisis.contacts]
    return tuple(sorted({n for n in names if n != "default"}))


def build_app_for(
    settings: Settings,
    client: redis.Redis,
    executor: Executor | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> App:
    """The Slack app as `flare bot` runs it, from settings."""
    assert settings.slack.bot_token is not None and settings.slack.signing_secret is not None
    return build_app(
        build_casework(settings, client, load_playbook(settings.playbook), clock=clock),
        settings.slack.signing_secret.get_secret_value(),
        settings.slack.bot_token.get_secret_value(),
        executor,
    )


def run_bot(
    settings: Settings,
    client: redis.Redis,
    host: str,
    port: int,
    routes: dict[str, Wsgi] | None = None,
) -> None:
    """Serve the Slack app (HTTP or Socket Mode), /healthz, /metrics and any extra `routes`."""
    app = build_app_for(settings, client)
    metrics.install(client, utcnow)
    if settings.slack.app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        # /healthz, /metrics and the routes still answer over HTTP while Slack uses the socket
        wsgi = build_wsgi(None, client, extra=routes)
        threading.Thread(target=serve, args=(wsgi, host, port), daemon=True).start()
        log.warning("Slack Socket Mode; health on http://%s:%d/healthz", host, port)
        SocketModeHandler(app, settings.slack.app_token.get_secret_value()).start()
    else:
        log.warning("Slack over HTTP at http://%s:%d/slack/events", host, port)
        serve(build_wsgi(app, client, extra=routes), host, port)
