"""`flare bot`: the Slack app (Socket Mode when an app token is set, HTTP otherwise), health and
metrics."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

import redis
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.app import slack_routes
from bot.slack_client import advice
from cli.wiring import build_app_for, listener_pool
from flare import metrics
from flare.defaults import MAX_SLACK_BYTES, STOP_GRACE
from flare.health import workers_alive
from flare.http import Server, Wsgi, router, serve
from flare.settings import Settings
from flare.time import utcnow

log = logging.getLogger(__name__)


def run_bot(
    settings: Settings,
    client: redis.Redis,
    host: str,
    port: int,
    routes: dict[str, Wsgi] | None = None,
    stop: threading.Event | None = None,
) -> bool:
    """Serve the Slack app (HTTP or Socket Mode), /healthz, /metrics and any extra `routes`
    (without Slack's settings, only those: Teams' /api/messages among them) until `stop` is set
    (SIGTERM or Ctrl-C). Then take nothing more in and finish the listeners already
    acknowledged, within `STOP_GRACE` s; False if some did not finish."""
    stop = stop or threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    metrics.install(client, utcnow)
    health = [workers_alive(client)]  # /healthz: 503 while no worker takes the cards' jobs
    max_body = max(MAX_SLACK_BYTES, settings.intake.webhook_max_bytes)  # its largest route's
    if not settings.slack.configured:
        log.warning("No Slack: serving http://%s:%d%s", host, port, ",".join(routes or {}))
        alone = Server(router(client, routes, health), host, port, max_body).start()
        _until(stop)
        return alone.stop_taking(STOP_GRACE)
    listeners = listener_pool(settings)
    app = build_app_for(settings, client, listeners)
    stop_taking: Callable[[float], bool]
    if settings.slack.app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        # /healthz, /metrics and the routes still answer over HTTP while Slack uses the socket
        wsgi = router(client, routes, health)
        threading.Thread(target=serve, args=(wsgi, host, port, max_body), daemon=True).start()
        log.info("Slack Socket Mode; health on http://%s:%d/healthz", host, port)
        socket = SocketModeHandler(app, settings.slack.app_token.get_secret_value())
        try:
            socket.connect()
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.error("Slack Socket Mode cannot connect: %s", socket_trouble(exc))
            return False

        def stop_taking(timeout: float) -> bool:
            socket.close()
            return True
    else:
        log.info("Slack over HTTP at http://%s:%d/slack/events", host, port)
        assert settings.slack.signing_secret is not None  # `flare bot` checked it is set
        secret = settings.slack.signing_secret.get_secret_value()
        wsgi = router(client, {**(routes or {}), **slack_routes(app, secret)}, health)
        server = Server(wsgi, host, port, max_body).start()
        stop_taking = server.stop_taking
    _until(stop)
    deadline = time.monotonic() + STOP_GRACE
    log.warning("stopping: finishing the clicks already acknowledged")
    answered = stop_taking(STOP_GRACE)
    unfinished = listeners.drain(max(0.0, deadline - time.monotonic()))
    if unfinished or not answered:
        log.error("stopped with %d acknowledged Slack actions unfinished", unfinished)
        return False
    return True


def socket_trouble(exc: Exception) -> str:
    """Why Socket Mode could not connect, in one line with what to check."""
    if isinstance(exc, SlackApiError):
        code = str(exc.response.get("error", "unknown"))
        fix = advice(code) or (
            "check FLARE_SLACK__APP_TOKEN: an app-level token (xapp-…) with connections:write, "
            "and Socket Mode turned on in the app's settings"
        )
        return f"Slack said {code}; {fix}"
    reason = getattr(exc, "reason", None) or exc
    return (
        f"Slack cannot be reached ({type(exc).__name__}: {reason}); check this host reaches "
        "slack.com over HTTPS (a proxy, a firewall) and FLARE_SLACK__API_URL"
    )


def _until(stop: threading.Event) -> None:
    """Wait for SIGTERM (which sets `stop`) or Ctrl-C."""
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
