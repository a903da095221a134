"""What jobs run with: built once at a process's entry point, found by the jobs RQ imports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis

from bot.slack_client import SlackClient
from flare.settings import Settings
from flare.store import Store
from rules.engine import Engine
from rules.playbook import Playbook, load_playbook


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    redis: redis.Redis
    store: Store
    playbook: Playbook
    engine: Engine
    slack: SlackClient | None
    clock: Callable[[], datetime] = utcnow


_current: Runtime | None = None


def build(
    settings: Settings, client: redis.Redis, clock: Callable[[], datetime] = utcnow
) -> Runtime:
    playbook = load_playbook(settings.playbook)
    token = settings.slack.bot_token
    slack = (
        SlackClient(token.get_secret_value(), settings.slack.api_url)
        if token
        else None
    )
    return Runtime(
        settings=settings,
        redis=client,
        store=Store(client),
        playbook=playbook,
        engine=Engine(playbook, brand_handles=settings.brand.handles),
        slack=slack,
        clock=clock,
    )


def install(runtime: Runtime) -> Runtime:
    """Make `runtime` the one jobs in this process (and its forked work horses) use."""
    global _current
    _current = runtime
    return runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no Flare runtime in this process: start jobs with `flare worker`")
    return _current
