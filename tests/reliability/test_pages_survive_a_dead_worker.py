"""A page is sacred even when the worker host dies: `flare worker` killed with kill -9, all its
processes at once, mid-chain. The next step is neither lost nor late nor doubled, and a step
that was being sent when the worker died is taken back and finished by the next worker.

Real processes: `flare worker` as an operator runs it, a real Redis, the Slack stand-in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml
from pydantic import SecretStr

from cli import wiring
from cli.standin import Call, SlackStandIn
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from rules.playbook import default_playbook_path
from tests.conftest import SIGNING_SECRET
from tests.reliability.processes import flare_env, kill_all, start_flare, stop
from tests.waiting import eventually

ANA, BEN = "U0ANA", "U0BEN"
STEP = 5  # seconds each contact has to acknowledge
STARTED_WITHIN = 30.0  # seconds a fresh `flare worker` may take to start its lanes here
LATE_AT_MOST = 15.0  # seconds after its time a step may go out when the worker died meanwhile


@pytest.fixture
def step() -> int:
    """Seconds each contact has to acknowledge."""
    return STEP


@pytest.fixture
def playbook(tmp_path: Path, step: int) -> Path:
    plan = yaml.safe_load(default_playbook_path().read_text())
    plan["crisis"] = {
        "ack_within": f"{step}s",
        "repeat": 1,
        "contacts": {"outage": [{"name": "Ana", "slack": ANA}, {"name": "Ben", "slack": BEN}]},
    }
    path = tmp_path / "playbook.yaml"
    path.write_text(yaml.safe_dump(plan))
    return path


@pytest.fixture
def settings(
    tmp_path: Path, redis_server: EmbeddedRedis, fake_slack: SlackStandIn, playbook: Path
) -> Settings:
    return Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        playbook=playbook,
        brand={"handles": ("acme",)},
        slack={
            "bot_token": SecretStr("xoxb-test"),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.base_url,
            "alerts_channel": "C0ALERTS",
            "pr_channel": "C0PR",
        },
    )


@pytest.fixture
def env(settings: Settings, fake_slack: SlackStandIn) -> dict[str, str]:
    return flare_env(
        FLARE_REDIS_URL=settings.redis_url,
        FLARE_DATA_DIR=str(settings.data_dir),
        FLARE_PLAYBOOK=str(settings.playbook),
        FLARE_BRAND__HANDLES="acme",
        FLARE_SLACK__BOT_TOKEN="xoxb-test",
        FLARE_SLACK__SIGNING_SECRET=SIGNING_SECRET,
        FLARE_SLACK__API_URL=fake_slack.base_url,
        FLARE_SLACK__ALERTS_CHANNEL="C0ALERTS",
        FLARE_SLACK__PR_CHANNEL="C0PR",
    )


@pytest.fixture
def workers(tmp_path: Path, env: dict[str, str]) -> Iterator[list]:
    """The `flare worker` processes a test starts; whatever is left is stopped after it."""
    started: list = []
    yield started
    for process in started:
        stop(process)


def worker(workers: list, env: dict[str, str], tmp_path: Path):  # type: ignore[no-untyped-def]
    process = start_flare(["worker"], env, tmp_path / "worker.log")
    workers.append(process)
    return process


def pages_to(slack: SlackStandIn, user: str) -> list[Call]:
    dm = "D" + user.lstrip("U")
    return [
        c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == dm and c.status == 200
    ]


def pr_lines_naming(slack: SlackStandIn, who: str) -> list[Call]:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args["channel"] == "C0PR" and not c.args.get("blocks") and who in c.args["text"]
    ]


def open_outage(settings: Settings, client: redis.Redis) -> None:
    wiring.build_runtime(settings, client).paging.open("outage", cause="a test")


def test_a_step_due_while_the_worker_is_dead_goes_out_soon_after_a_new_one_starts(
    tmp_path: Path,
    settings: Settings,
    env: dict[str, str],
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    workers: list,
) -> None:
    first = worker(workers, env, tmp_path)
    open_outage(settings, redis_client)
    [ana] = eventually(lambda: pages_to(fake_slack, ANA), within=STARTED_WITHIN)

    kill_all(first)  # the host dies with Ben's step scheduled five seconds on
    second = worker(workers, env, tmp_path)

    [ben] = eventually(lambda: pages_to(fake_slack, BEN), within=STARTED_WITHIN + LATE_AT_MOST)
    assert ben.at - (ana.at + STEP) < LATE_AT_MOST
    eventually(
        lambda: [
            c
            for c in fake_slack.calls_to("chat.postMessage")
            if "Nobody acknowledged" in c.args.get("text", "")
        ],
        within=STEP + 15,
    )
    assert len(pages_to(fake_slack, ANA)) == 1
    assert len(pages_to(fake_slack, BEN)) == 1
    assert stop(second) == 0  # SIGTERM: every lane finishes and exits, none has to be killed


@pytest.mark.parametrize("step", [40])  # the step is taken back well before the next is due
def test_a_step_being_sent_when_the_worker_dies_is_finished_by_the_next_worker_once(
    tmp_path: Path,
    settings: Settings,
    env: dict[str, str],
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
    workers: list,
) -> None:
    dm_in_flight, release = threading.Event(), threading.Event()
    dm_at: list[float] = []

    def hold_the_first_page(call: Call) -> None:
        first_dm = call.method == "chat.postMessage" and call.args["channel"] == "D0ANA"
        if first_dm and not dm_in_flight.is_set():
            dm_at.append(call.at)
            dm_in_flight.set()
            release.wait(60)  # Slack took the DM; its answer never reaches the dead worker

    fake_slack.on_call = hold_the_first_page
    try:
        first = worker(workers, env, tmp_path)
        open_outage(settings, redis_client)
        assert dm_in_flight.wait(STARTED_WITHIN)
        kill_all(first)
        worker(workers, env, tmp_path)

        # the step's other channel (the PR channel's line) is sent by the job taken back
        [line] = eventually(lambda: pr_lines_naming(fake_slack, ANA), within=STARTED_WITHIN)
    finally:
        release.set()
    assert line.at - dm_at[0] < STARTED_WITHIN  # taken back in seconds, not RQ's minutes
    assert len(pages_to(fake_slack, ANA)) == 1
    assert not pages_to(fake_slack, BEN)  # Ben's time has not come
