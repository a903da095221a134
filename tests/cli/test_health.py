"""`flare health`: what a container's health check and a pod's probe ask of a Flare process."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from flare.http import router
from flare.redis_server import EmbeddedRedis
from tests.cli.lanes import start_page_lane
from tests.cli.test_main import flare
from tests.conftest import free_port
from tests.waiting import eventually


def test_a_port_whose_healthz_answers_is_healthy_and_a_closed_one_is_not(
    redis_client: redis.Redis, serve_wsgi: Callable[[object], str]
) -> None:
    base = serve_wsgi(router(redis_client))
    port = base.rsplit(":", 1)[1]

    alive = flare("health", "--port", port)
    closed = flare("health", "--port", str(free_port()))

    assert alive.returncode == 0, alive.stderr
    assert f"http://127.0.0.1:{port}/healthz: ok" in alive.stdout
    assert closed.returncode == 1 and "Connection refused" in closed.stderr


def test_it_must_be_told_what_to_check() -> None:
    neither = flare("health")

    assert neither.returncode == 2 and "--port PORT or --worker" in neither.stderr


@pytest.fixture
def page_lane(redis_server: EmbeddedRedis, tmp_path: Path) -> Iterator[dict[str, str]]:
    """`flare worker --queues page` running on this host."""
    lane, env = start_page_lane(redis_server, tmp_path)
    yield env
    lane.send_signal(signal.SIGTERM)
    lane.wait(timeout=30)


def test_a_worker_is_healthy_when_a_live_lane_here_serves_each_queue_asked(
    redis_client: redis.Redis, page_lane: dict[str, str]
) -> None:
    env = {"FLARE_REDIS_URL": page_lane["FLARE_REDIS_URL"]}

    eventually(lambda: flare("health", "--worker", "--queues", "page", env=env).returncode == 0, 60)
    every = flare("health", "--worker", env=env)

    assert every.returncode == 1
    assert "serves urgent, triage, notify, act" in every.stderr  # only pages run here


def test_a_worker_with_no_lane_alive_here_is_unhealthy(
    redis_client: redis.Redis, redis_server: EmbeddedRedis
) -> None:
    result = flare(
        "health", "--worker", "--queues", "page", env={"FLARE_REDIS_URL": redis_server.url}
    )

    assert result.returncode == 1
    assert "no live lane on" in result.stderr and "serves page" in result.stderr
