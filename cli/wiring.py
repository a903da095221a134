"""Flare put together from settings: the case desk, the Slack app, the jobs' runtime."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

import redis
from slack_bolt import App

from bot.app import build_app
from bot.casework import Casework
from bot.draft import check_draft, drafter_for
from bot.slack_client import SlackClient
from bot.team import Team
from flare.settings import Settings
from flare.store import Store
from flare.time import utcnow
from rules.engine import Engine
from rules.playbook import Playbook, load_playbook
from workers.runtime import Runtime
from workers.x_client import XClient


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


def x_client_for(settings: Settings, client: redis.Redis) -> XClient | None:
    x = settings.x
    if not (x.bearer_token or x.access_token):
        return None
    return XClient(x, client=client)


def build_runtime(
    settings: Settings, client: redis.Redis, clock: Callable[[], datetime] = utcnow
) -> Runtime:
    playbook = load_playbook(settings.playbook)
    casework = None
    if settings.slack.bot_token:
        casework = build_casework(settings, client, playbook, clock=clock)
    return Runtime(
        settings=settings,
        redis=client,
        store=Store(client),
        playbook=playbook,
        engine=Engine(playbook, brand_handles=settings.brand.handles),
        casework=casework,
        x=x_client_for(settings, client),
        clock=clock,
    )
