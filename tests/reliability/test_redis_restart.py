"""Redis restarted under a running `flare worker`, mid-chain: the worker rides it out, the next
page step goes out once, and posts queued after the restart are triaged.

Real processes: `flare worker` as an operator runs it against a Redis of its own (AOF on, as
Flare starts it), which the test stops and starts again; the Slack stand-in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml
from pydantic import SecretStr

from cli import wiring
from cli.standin import SlackStandIn
from flare import keys
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from rules.playbook import default_playbook_path
from tests.builders import mention
from tests.conftest import SIGNING_SECRET
from tests.reliability.processes import flare_env, start_flare, stop
from tests.reliability.test_pages_survive_a_dead_worker import ANA, BEN, pages_to
from tests.waiting import eventually
from workers.intake import Intake

STEP = 8  # seconds each contact has to acknowledge
STARTED_WITHIN = 30.0


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis for this test alone, so it can be restarted."""
    server = EmbeddedRedis(tmp_path / "redis")
    server.acquire()
    yield server
    server.shutdown()


def test_a_redis_restart_mid_chain_loses_no_step_and_doubles_none(
    tmp_path: Path, own_redis: EmbeddedRedis, fake_slack: SlackStandIn
) -> None:
    plan = yaml.safe_load(default_playbook_path().read_text())
    plan["crisis"] = {
        "ack_within": f"{STEP}s",
        "repeat": 1,
        "contacts": {"outage": [{"name": "Ana", "slack": ANA}, {"name": "Ben", "slack": BEN}]},
    }
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(yaml.safe_dump(plan))
    slack = {
        "bot_token": SecretStr("xoxb-test"),
        "signing_secret": SecretStr(SIGNING_SECRET),
        "api_url": fake_slack.base_url,
        "alerts_channel": "C0ALERTS",
        "pr_channel": "C0PR",
    }
    settings = Settings(
        redis_url=own_redis.url,
        data_dir=tmp_path / "data",
        playbook=playbook,
        brand={"handles": ("acme",)},
        slack=slack,
    )
    env = flare_env(
        FLARE_REDIS_URL=own_redis.url,
        FLARE_DATA_DIR=str(tmp_path / "data"),
        FLARE_PLAYBOOK=str(playbook),
        FLARE_BRAND__HANDLES="acme",
        FLARE_SLACK__BOT_TOKEN="xoxb-test",
        FLARE_SLACK__SIGNING_SECRET=SIGNING_SECRET,
        FLARE_SLACK__API_URL=fake_slack.base_url,
        FLARE_SLACK__ALERTS_CHANNEL="C0ALERTS",
        FLARE_SLACK__PR_CHANNEL="C0PR",
    )
    worker = start_flare(["worker"], env, tmp_path / "worker.log")
    try:
        client = redis.Redis.from_url(own_redis.url)
        wiring.build_runtime(settings, client).paging.open("outage", cause="a test")
        eventually(lambda: pages_to(fake_slack, ANA), within=STARTED_WITHIN)

        own_redis.shutdown()  # saved, stopped: the worker loses its connection
        own_redis.acquire()  # and it comes back with what it held

        eventually(lambda: pages_to(fake_slack, BEN), within=STEP + STARTED_WITHIN)
        client = redis.Redis.from_url(own_redis.url)
        Intake(client).take([mention(id="5001", text="@acme my parcel is late")])
        eventually(lambda: client.exists(keys.case("5001")), within=STARTED_WITHIN)
        assert len(pages_to(fake_slack, ANA)) == 1 and len(pages_to(fake_slack, BEN)) == 1
        assert worker.poll() is None  # still running
    finally:
        stop(worker)
