"""The listener: stream, polling and webhook together, and no gap when the stream drops."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import redis
import requests

from flare.redis_server import EmbeddedRedis
from tests.conftest import free_port
from tests.fakes.x_api import FakeX, hours_ago
from tests.waiting import eventually
from tests.workers.listening import flare_mention, listen_settings, queued, queued_ids, signed
from workers.listen import Listener, plan, run_listen


@pytest.fixture
def listening(
    fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> Iterator[callable]:  # type: ignore[valid-type]
    """Start `run_listen` in a thread with the given options; stopped (and flushed) at the end."""
    stop = threading.Event()
    threads: list[threading.Thread] = []
    started: list[Listener] = []

    def start(**options: object) -> Listener:
        settings = listen_settings(fake_x, redis_server.url, **options.pop("intake", {}))  # type: ignore[arg-type]
        thread = threading.Thread(
            target=run_listen,
            args=(settings, redis_client),
            kwargs={
                "host": "127.0.0.1",
                "port": free_port(),
                "say": lambda line: None,
                "stop": stop,
                "on_start": started.append,
                **options,
            },
            daemon=True,
        )
        thread.start()
        threads.append(thread)
        return eventually(lambda: started[0] if started else None)

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=10)


def test_the_plan_says_what_runs_and_why_the_rest_is_skipped(
    fake_x: FakeX, redis_server: EmbeddedRedis
) -> None:
    settings = listen_settings(fake_x, redis_server.url)
    bare = settings.model_copy(update={"x": settings.x.model_copy(update={"user_id": None})})

    parts = {p.name: p for p in plan(bare, stream=True, poll=True, webhook=False, port=3001)}

    assert parts["stream"].on and "@acme" in parts["stream"].why
    assert not parts["poll"].on and "FLARE_X__USER_ID" in parts["poll"].why
    assert not parts["backfill"].on and "cannot be filled" in parts["backfill"].why
    assert not parts["webhook"].on and parts["webhook"].why == "--no-webhook"


def test_stream_poll_and_webhook_run_together_and_each_post_is_queued_once(
    fake_x: FakeX,
    redis_client: redis.Redis,
    listening: callable,  # type: ignore[valid-type]
) -> None:
    before = fake_x.publish("@acme still waiting on my refund 😤", created_at=hours_ago(3))
    listener = listening()
    eventually(lambda: fake_x.live_streams == 1)

    live = fake_x.publish("@acme レシートが届きません", author="4242")
    body = flare_mention("webhook-1")
    answer = requests.post(
        f"http://127.0.0.1:{listener.port}/intake", data=body, headers=signed(body), timeout=5
    )
    also_by_webhook = fake_x.stream_line(live)  # a listening tool forwarding the same post
    again = requests.post(
        f"http://127.0.0.1:{listener.port}/intake",
        data=also_by_webhook,
        headers=signed(also_by_webhook),
        timeout=5,
    )

    assert (answer.status_code, again.status_code) == (202, 202)
    wanted = {before["id"], live["id"], "webhook-1"}
    eventually(lambda: set(queued_ids(redis_client)) == wanted)
    eventually(lambda: len(fake_x.requests_to("GET /2/users/:id/mentions")) >= 3)  # polls go on
    assert set(queued_ids(redis_client).values()) == {1}
    by_id = {m["id"]: m for m in queued(redis_client)}
    assert by_id[before["id"]]["source"] == "x_poll"
    assert by_id[before["id"]]["created_at"].startswith(before["created_at"][:19])
    assert by_id[live["id"]]["text"] == "@acme レシートが届きません"
    assert by_id[live["id"]]["author"]["followers"] == 4242
    assert by_id["webhook-1"]["source"] == "webhook"


def test_a_stream_dropped_mid_flow_misses_nothing_and_doubles_nothing(
    fake_x: FakeX,
    redis_client: redis.Redis,
    listening: callable,  # type: ignore[valid-type]
) -> None:
    first = fake_x.publish("@acme app crashed at checkout", created_at=hours_ago(1))
    listening(poll=False)  # no periodic polling: only the gap backfills
    eventually(lambda: fake_x.live_streams == 1)
    streamed = [fake_x.publish(f"@acme order {n} is late") for n in range(3)]
    eventually(lambda: {p["id"] for p in [first, *streamed]} <= set(queued_ids(redis_client)))

    fake_x.refuse_streams(503)
    fake_x.drop_streams()
    eventually(lambda: fake_x.stream_refusals >= 1)
    while_down = [fake_x.publish(f"@acme nobody answers ({n})") for n in range(3)]
    fake_x.allow_streams()
    eventually(lambda: fake_x.live_streams == 1 and fake_x.stream_connects == 2)
    after = [fake_x.publish(f"@acme back again {n}") for n in range(3)]

    everything = [first, *streamed, *while_down, *after]
    eventually(lambda: set(queued_ids(redis_client)) == {p["id"] for p in everything})
    by_id = {m["id"]: m for m in queued(redis_client)}
    assert all(by_id[p["id"]]["source"] == "x_stream" for p in streamed)
    assert all(by_id[p["id"]]["source"] == "x_poll" for p in while_down)
    assert all(n == 1 for n in queued_ids(redis_client).values())


def test_an_operator_alert_reaches_the_ops_channel_when_one_is_set(
    fake_x: FakeX, redis_server: EmbeddedRedis, fake_slack: object
) -> None:
    from pydantic import SecretStr

    from workers.listen import ops_alert

    settings = listen_settings(fake_x, redis_server.url, ops_channel="C0OPS")
    settings = settings.model_copy(
        update={
            "slack": settings.slack.model_copy(
                update={"bot_token": SecretStr("xoxb-test"), "api_url": fake_slack.base_url}  # type: ignore[attr-defined]
            )
        }
    )

    ops_alert(settings)("X stream down: back-off at its maximum")

    [call] = fake_slack.calls_to("chat.postMessage")  # type: ignore[attr-defined]
    assert call.args["channel"] == "C0OPS"
    assert "back-off at its maximum" in call.args["text"]
