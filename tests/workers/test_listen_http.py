"""The listener's own HTTP port: health and metrics whatever the sources, /intake only if asked."""

from __future__ import annotations

import redis
import requests

from flare.redis_server import EmbeddedRedis
from tests.conftest import free_port
from tests.fakes.x_api import FakeX
from tests.workers.listening import listen_settings
from workers.listen import Listener, plan


def test_without_the_webhook_the_listener_still_answers_health_and_metrics(
    fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    settings = listen_settings(fake_x, redis_server.url)
    listener = Listener(
        settings, redis_client, stream=False, webhook=False, host="127.0.0.1", port=free_port()
    ).start()
    try:
        base = f"http://127.0.0.1:{listener.port}"
        health = requests.get(f"{base}/healthz", timeout=5)
        metrics = requests.get(f"{base}/metrics", timeout=5)
        intake = requests.post(f"{base}/intake", data=b"{}", timeout=5)
    finally:
        listener.stop()

    assert (health.status_code, health.text) == (200, "ok\n")
    assert metrics.status_code == 200
    assert intake.status_code == 404


def test_a_listener_with_only_an_unsigned_webhook_takes_nothing_in(
    fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    settings = listen_settings(fake_x, redis_server.url)
    unsigned = settings.model_copy(
        update={"intake": settings.intake.model_copy(update={"webhook_secret": None})}
    )

    webhook_only = Listener(unsigned, redis_client, stream=False, poll=False)
    signed_only = Listener(settings, redis_client, stream=False, poll=False)

    assert not webhook_only.takes_anything_in
    assert signed_only.takes_anything_in
    assert plan(unsigned, stream=False, poll=False, port=3001)[-1].on  # it still serves health


def test_the_listener_serves_this_machine_only_unless_flare_host_says_otherwise(
    fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    settings = listen_settings(fake_x, redis_server.url)
    everywhere = settings.model_copy(update={"host": "0.0.0.0"})

    local = Listener(settings, redis_client, stream=False, poll=False, port=free_port()).start()
    try:
        assert local._server is not None
        bound = local._server.host
    finally:
        local.stop()

    assert bound == "127.0.0.1"
    assert Listener(everywhere, redis_client, stream=False, poll=False).host == "0.0.0.0"


def test_an_intake_body_over_the_limit_is_refused_by_the_server_unread(
    fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    settings = listen_settings(fake_x, redis_server.url, webhook_max_bytes=1000)
    listener = Listener(settings, redis_client, stream=False, poll=False, port=free_port()).start()
    try:
        answer = requests.post(
            f"http://127.0.0.1:{listener.port}/intake",
            data=b"x" * 5000,
            headers={"Content-Type": "application/json"},
            timeout=5,
        )
    finally:
        listener.stop()

    assert answer.status_code == 413
