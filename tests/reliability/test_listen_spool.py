"""`flare listen` stopped while Redis is down keeps the posts it held on disk and hands them on
at its next start."""

from __future__ import annotations

import re
from pathlib import Path

import redis
import requests

from flare.redis_server import EmbeddedRedis
from tests.conftest import free_port
from tests.fakes.x_api import FakeX, fake_x
from tests.reliability.processes import flare_env, kill_all, start_flare, stop
from tests.waiting import eventually
from tests.workers.listening import queued_ids
from workers.spool import SPOOL_FILE

__all__ = ["fake_x"]

SLOW = 30.0  # seconds a step of a process may take on a busy machine


def answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/metrics", timeout=1).status_code == 200
    except requests.ConnectionError:
        return False


def waiting(url: str) -> float:
    """The listener's own count of mentions waiting to be handed to Redis."""
    metrics = requests.get(f"{url}/metrics", timeout=5).text
    found = re.search(r"^flare_intake_waiting (\S+)$", metrics, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_posts_held_when_redis_is_down_at_sigterm_are_spooled_and_handed_on_at_the_next_start(
    tmp_path: Path, fake_x: FakeX
) -> None:
    redis_dir = tmp_path / "redis"
    server = EmbeddedRedis(redis_dir)
    client = redis.Redis.from_url(server.acquire())
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = flare_env(
        FLARE_REDIS_URL=server.url,
        FLARE_DATA_DIR=str(tmp_path / "data"),
        FLARE_BRAND__HANDLES=fake_x.brand_username,
        FLARE_X__API_URL=fake_x.base_url,
        FLARE_X__BEARER_TOKEN="test-bearer",
        FLARE_INTAKE__BATCH_WAIT_MS="20",
        FLARE_INTAKE__REDIS_RETRY_MAX="0.2",
    )
    args = ["listen", "--no-poll", "--no-webhook", "--port", str(port)]
    log = tmp_path / "listen.log"
    listen = start_flare(args, env, log)
    try:
        eventually(lambda: answers(url) and fake_x.live_streams == 1, within=SLOW)
        before = fake_x.publish("@acme is anyone there?")
        eventually(lambda: before["id"] in queued_ids(client), within=SLOW)

        server.release()  # Redis goes down, and the keyword posts keep coming
        held = [fake_x.publish(f"@acme my parcel {n} never came") for n in range(10)]
        eventually(lambda: waiting(url) == len(held), within=SLOW)
        first_status = stop(listen)
        spool = tmp_path / "data" / SPOOL_FILE
        assert spool.exists(), log.read_text()

        client = redis.Redis.from_url(server.acquire())  # Redis is back
        assert set(queued_ids(client)) == {before["id"]}  # nothing of the ten reached it
        listen = start_flare(args, env, log)
        expected = {before["id"], *(p["id"] for p in held)}
        eventually(lambda: set(queued_ids(client)) == expected, within=SLOW)
        second_status = stop(listen)
        final = queued_ids(client)
    finally:
        if listen.poll() is None:
            kill_all(listen)
        server.release()

    output = log.read_text()
    assert (first_status, second_status) == (0, 0), output
    assert "10 mentions were not handed on (Redis down?): kept in" in output
    assert "10 mentions kept by the last run handed on to triage" in output
    assert all(n == 1 for n in final.values())  # none doubled
    assert not spool.exists()
