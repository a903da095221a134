"""The App Home tab: published afresh each time someone opens it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import redis
from slack_bolt import App

from bot.slack_client import SlackClient, SlackError
from bot.views import home_view, stranger_view
from flare.queries import Queries
from flare.team import Team

log = logging.getLogger(__name__)


def register(
    app: App,
    queries: Queries,
    slack: SlackClient,
    clock: Callable[[], datetime],
    team: Team | None = None,
) -> None:
    """Add the app_home_opened listener that publishes the user's Home tab; the queue is
    shown only to those who may act on cards (`team`)."""
    team = team or Team()

    @app.event("app_home_opened")
    def publish_home(event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab was opened: nothing to draw
        user = str(event["user"])
        try:
            if not team.may_act(user):
                slack.publish_home(user, stranger_view(user, team.refusal("agent")))
                return
            view = home_view(user, queries.claimed_by(user), queries.open_by_priority(), clock())
            slack.publish_home(user, view)
        except (redis.RedisError, SlackError):
            log.exception("could not publish the Home tab for %s", user)
