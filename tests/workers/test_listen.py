"""The listener: stream, polling and webhook together, and no gap when the stream drops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import requests

from flare import keys
from flare.dlq import DeadLetters
from flare.redis_server import EmbeddedRedis
from rules.context import MemoryContext
from rules.engine import Engine
from rules.mention import Mention
from rules.playbook import default_playbook_path, load_playbook
from tests.conftest import free_port
from tests.fakes.x_api import FakeX, hours_ago
from tests.waiting import eventually
from tests.workers.listening import (
    WEBHOOK_SECRET,
    flare_mention,
    listen_settings,
    queued,
    queued_ids,
    signed,
)
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
        return eventually(lambda: started[0] if started else None, within=SLOW)

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
    eventually(lambda: fake_x.live_streams == 1, within=SLOW)

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
    # no periodic polling and no settle timer: only the gap backfills poll
    listener = listening(poll=False, intake={"backfill_settle": 0})
    eventually(lambda: fake_x.live_streams == 1)
    # the backfills at start and at connect are done: what follows can come by the stream only
    eventually(lambda: listener.poller is not None and listener.poller.polls >= 2)
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


SLOW = 30.0  # seconds a step of `flare listen` may take on a busy machine


class FlareListen:
    """`flare listen` as an operator runs it: its own process, configured by environment."""

    def __init__(self, fake: FakeX, redis_url: str) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "FLARE_REDIS_URL": redis_url,
            "FLARE_BRAND__HANDLES": fake.brand_username,
            "FLARE_X__API_URL": fake.base_url,
            "FLARE_X__BEARER_TOKEN": "test-bearer",
            "FLARE_X__USER_ID": fake.brand_id,
            "FLARE_INTAKE__WEBHOOK_SECRET": WEBHOOK_SECRET,
            "FLARE_INTAKE__POLL_INTERVAL": "0.3",
            "FLARE_INTAKE__POLL_MIN_GAP": "0",
            "FLARE_INTAKE__BACKFILL_SETTLE": "0.2",
            "FLARE_INTAKE__BATCH_WAIT_MS": "20",
            "FLARE_INTAKE__STREAM_KEEPALIVE_TIMEOUT": "2",
            "FLARE_INTAKE__BACKOFF_NETWORK_STEP": "0.01",
            "FLARE_INTAKE__BACKOFF_NETWORK_MAX": "0.05",
            "FLARE_INTAKE__BACKOFF_HTTP_START": "0.01",
            "FLARE_INTAKE__BACKOFF_HTTP_MAX": "0.05",
            "FLARE_INTAKE__BACKOFF_RATE_LIMIT_START": "0.02",
        }
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> FlareListen:
        flare = Path(sys.executable).with_name("flare")
        self.process = subprocess.Popen(
            [str(flare), "listen", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        eventually(self._healthy, within=SLOW)
        return self

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, body: bytes) -> requests.Response:
        return requests.post(f"{self.url}/intake", data=body, headers=signed(body), timeout=5)

    def stop(self) -> tuple[int, str]:
        """SIGTERM, as Docker and Kubernetes stop it; its exit code and everything it said."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            output, _ = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return self.process.returncode, output


@pytest.fixture
def flare_listen(fake_x: FakeX, redis_server: EmbeddedRedis) -> Iterator[Callable[[], FlareListen]]:
    """Makes `flare listen` processes (not started); any still running at the end is killed."""
    made: list[FlareListen] = []

    def make() -> FlareListen:
        made.append(FlareListen(fake_x, redis_server.url))
        return made[-1]

    yield make
    for runner in made:
        if runner.process is not None and runner.process.poll() is None:
            runner.process.kill()
            runner.process.wait()


def test_flare_listen_takes_stream_poll_and_webhook_once_each_without_gaps(
    fake_x: FakeX,
    redis_client: redis.Redis,
    flare_listen: Callable[[], FlareListen],
) -> None:
    waiting = fake_x.publish(
        "@acme still waiting on my refund, nobody answers", created_at=hours_ago(3)
    )
    listener = flare_listen().start()
    eventually(lambda: fake_x.live_streams == 1, within=SLOW)

    live = [fake_x.publish(f"@acme 注文{n}が届きません 📦") for n in range(3)]
    hooked = listener.post(flare_mention("listening-tool-1"))
    forwarded = listener.post(fake_x.stream_line(live[0]))  # the same post, by webhook
    unreadable = listener.post(b'{"data": {"id": "1", "text": "no time, no author"}}')
    fake_x.refuse_streams(503)
    fake_x.drop_streams()
    eventually(lambda: fake_x.stream_refusals >= 1, within=SLOW)
    while_down = [fake_x.publish(f"@acme is anyone there? ({n})") for n in range(3)]
    fake_x.allow_streams()
    eventually(lambda: fake_x.live_streams == 1, within=SLOW)
    after = [fake_x.publish(f"@acme back online {n}") for n in range(2)]

    expected = {p["id"] for p in [waiting, *live, *while_down, *after]} | {"listening-tool-1"}
    eventually(lambda: set(queued_ids(redis_client)) == expected, within=SLOW)
    code, output = listener.stop()

    assert (hooked.status_code, forwarded.status_code) == (202, 202)
    assert (unreadable.status_code, unreadable.json()["field"]) == (422, "data.created_at")
    assert all(n == 1 for n in queued_ids(redis_client).values())  # none doubled
    by_id = {m["id"]: m for m in queued(redis_client)}
    assert all(by_id[p["id"]]["source"] == "x_poll" for p in while_down)
    assert by_id[live[1]["id"]]["text"] == "@acme 注文1が届きません 📦"
    [letter] = DeadLetters(redis_client).all()
    assert (letter.source, letter.where) == ("webhook", "POST /intake")
    assert code == 0, output
    assert "stream    running" in output and "stopping" in output
    assert "Traceback" not in output  # its HTTP server stopped on its own thread, quietly
    # backfilled with its real time, so triage finds it past its response target
    engine = Engine(load_playbook(default_playbook_path()), ["acme"])
    found = Mention.model_validate(by_id[waiting["id"]])
    assert engine.decide(found, MemoryContext(), datetime.now(UTC)).late

    # a restart that lost its poll checkpoint reads the same mentions again: none is queued twice
    checkpoint = keys.x_mentions_since(fake_x.brand_id)
    redis_client.delete(checkpoint)
    restarted = flare_listen().start()
    eventually(lambda: redis_client.get(checkpoint), within=SLOW)  # set once re-read ones are in
    assert restarted.stop()[0] == 0
    assert queued_ids(redis_client) == {i: 1 for i in expected}


def test_mentions_that_reach_neither_redis_nor_the_spool_are_counted_as_lost(
    fake_x: FakeX, tmp_path: Path
) -> None:
    in_the_way = tmp_path / "data"
    in_the_way.write_text("a file where the data dir should be")
    settings = listen_settings(fake_x, "redis://unused").model_copy(update={"data_dir": in_the_way})
    down = redis.Redis(unix_socket_path=str(tmp_path / "no-redis.sock"))
    listener = Listener(settings, down, stream=False, poll=False, port=free_port()).start()
    listener.batcher.put_many([Mention.model_validate_json(flare_mention("lost-1"))])

    assert not listener.stop()
    assert (listener.lost, listener.spooled) == (1, 0)
