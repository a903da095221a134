"""The App Home tab: published afresh each time someone opens it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import redis
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.views import home_view
from flare.queries import Queries

Clock = Callable[[], datetime]

log = logging.getLogger(__name__)


def register(app: App, queries: Queries, clock: Clock) -> None:
    """Add the app_home_opened listener that publishes the user's Home tab."""

    @app.event("app_home_opened")
    def publish_home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab was opened: nothing to draw
        user = str(event["user"])
        now = clock()
        try:
            view = home_view(user, queries.claimed_by(user), queries.open_by_priority(now), now)
            client.views_publish(user_id=user, view=view)
        except (redis.RedisError, SlackApiError):
            log.exception("could not publish the Home tab for %s", user)
