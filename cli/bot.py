"""`flare bot`: the Slack app (Socket Mode when an app token is set, HTTP otherwise), health and
metrics."""

from __future__ import annotations

import logging
import threading

import redis

from bot.app import slack_routes
from cli.wiring import build_app_for
from flare import metrics
from flare.defaults import MAX_SLACK_BYTES
from flare.http import Wsgi, router, serve
from flare.settings import Settings
from flare.time import utcnow

log = logging.getLogger(__name__)


def run_bot(
    settings: Settings,
    client: redis.Redis,
    host: str,
    port: int,
    routes: dict[str, Wsgi] | None = None,
) -> None:
    """Serve the Slack app (HTTP or Socket Mode), /healthz, /metrics and any extra `routes`;
    without Slack's settings, only those (Teams' /api/messages among them)."""
    metrics.install(client, utcnow)
    max_body = max(MAX_SLACK_BYTES, settings.intake.webhook_max_bytes)  # its largest route's
    if not settings.slack.configured:
        log.warning("No Slack: serving http://%s:%d%s", host, port, ",".join(routes or {}))
        serve(router(client, routes), host, port, max_body)
        return
    app = build_app_for(settings, client)
    if settings.slack.app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        # /healthz, /metrics and the routes still answer over HTTP while Slack uses the socket
        wsgi = router(client, routes)
        threading.Thread(target=serve, args=(wsgi, host, port, max_body), daemon=True).start()
        log.warning("Slack Socket Mode; health on http://%s:%d/healthz", host, port)
        SocketModeHandler(app, settings.slack.app_token.get_secret_value()).start()
    else:
        log.warning("Slack over HTTP at http://%s:%d/slack/events", host, port)
        assert settings.slack.signing_secret is not None  # `flare bot` checked it is set
        secret = settings.slack.signing_secret.get_secret_value()
        wsgi = router(client, {**(routes or {}), **slack_routes(app, secret)})
        serve(wsgi, host, port, max_body)
