"""/healthz: 503 with the reason when Redis, workers or the stream are missing; /livez: Redis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis
import requests
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Worker

from flare.health import stream_connected, workers_alive
from flare.http import router
from flare.queues import QueueName, queue
from tests.conftest import free_port


def test_no_live_worker_is_a_503_naming_the_queues_nobody_serves(
    redis_client: redis.Redis, serve_wsgi: Callable[[Any], str]
) -> None:
    url = serve_wsgi(router(redis_client, checks=[workers_alive(redis_client)]))
    lane = Worker([queue(redis_client, QueueName.PAGE)], connection=redis_client)
    lane.register_birth()

    answer = requests.get(f"{url}/healthz", timeout=5)

    assert answer.status_code == 503
    assert answer.text == (
        "workers: no live worker serves urgent, triage, notify, act (run `flare worker`)\n"
    )


def test_a_worker_for_every_queue_is_healthy(
    redis_client: redis.Redis, serve_wsgi: Callable[[Any], str]
) -> None:
    url = serve_wsgi(router(redis_client, checks=[workers_alive(redis_client)]))
    Worker([queue(redis_client, q) for q in QueueName], connection=redis_client).register_birth()

    assert requests.get(f"{url}/healthz", timeout=5).text == "ok\n"


def test_a_worker_whose_key_lapsed_counts_as_dead(
    redis_client: redis.Redis, serve_wsgi: Callable[[Any], str]
) -> None:
    url = serve_wsgi(router(redis_client, checks=[workers_alive(redis_client)]))
    dead = Worker([queue(redis_client, q) for q in QueueName], connection=redis_client)
    dead.register_birth()
    redis_client.delete(dead.key)  # what its expiry does seconds after the process died

    assert requests.get(f"{url}/healthz", timeout=5).status_code == 503


def test_redis_down_is_a_503_that_says_so(serve_wsgi: Callable[[Any], str]) -> None:
    gone = redis.Redis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))
    url = serve_wsgi(router(gone, checks=[workers_alive(gone)]))

    answer = requests.get(f"{url}/healthz", timeout=5)

    assert answer.status_code == 503
    assert answer.text.startswith("redis: ")
    metrics = requests.get(f"{url}/metrics", timeout=5)
    assert metrics.status_code == 200


def test_a_stream_down_past_its_grace_is_unhealthy_and_back_when_it_reconnects() -> None:
    connected = [True]
    check = stream_connected(lambda: connected[0], grace=0.0)

    assert check() is None
    connected[0] = False
    assert (check() or "").startswith("stream: the X stream has been disconnected for")
    connected[0] = True
    assert check() is None


def test_a_stream_reconnecting_within_its_grace_is_healthy() -> None:
    assert stream_connected(lambda: False, grace=60.0)() is None


def test_livez_asks_redis_alone_so_a_bot_with_its_workers_down_stays_in_service(
    redis_client: redis.Redis, serve_wsgi: Callable[[Any], str]
) -> None:
    url = serve_wsgi(router(redis_client, checks=[workers_alive(redis_client)]))
    gone = redis.Redis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))
    unreachable = serve_wsgi(router(gone, checks=[workers_alive(gone)]))

    assert requests.get(f"{url}/healthz", timeout=5).status_code == 503  # no worker: alert
    assert requests.get(f"{url}/livez", timeout=5).text == "ok\n"
    assert requests.get(f"{unreachable}/livez", timeout=5).status_code == 503
