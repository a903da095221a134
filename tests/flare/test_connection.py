"""The one Redis connection: through a real Sentinel, Flare finds the master and follows it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from flare.connection import connect
from flare.redis_server import _redis_server_binary
from flare.settings import Settings
from tests.conftest import free_port
from tests.waiting import eventually

MASTER_NAME = "flare-test"


@dataclass
class SentinelSet:
    """A master, its replica and one Sentinel watching them, all on 127.0.0.1."""

    master: int
    replica: int
    sentinel: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.sentinel}"

    def master_port(self) -> int:
        asked = redis.Redis(port=self.sentinel).sentinel_get_master_addr_by_name(MASTER_NAME)
        return int(asked[1])


def _server(args: list[str], workdir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [_redis_server_binary(), *args],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def sentinels(tmp_path: Path) -> Iterator[SentinelSet]:
    ports = SentinelSet(free_port(), free_port(), free_port())
    plain = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    conf = tmp_path / "sentinel.conf"  # a Sentinel rewrites its file: it must be its own
    conf.write_text(
        f"port {ports.sentinel}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor {MASTER_NAME} 127.0.0.1 {ports.master} 1\n"
        f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
        f"sentinel failover-timeout {MASTER_NAME} 10000\n"
    )
    processes = [
        _server(["--port", str(ports.master), *plain], tmp_path),
        _server(
            ["--port", str(ports.replica), "--replicaof", "127.0.0.1", str(ports.master), *plain],
            tmp_path,
        ),
        _server([str(conf), "--sentinel"], tmp_path),
    ]
    try:
        eventually(lambda: _replica_known(ports), within=20)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def _replica_known(ports: SentinelSet) -> bool:
    try:
        replicas = redis.Redis(port=ports.sentinel).sentinel_slaves(MASTER_NAME)
        synced = redis.Redis(port=ports.replica).info("replication")
    except redis.RedisError:
        return False
    return bool(replicas) and synced.get("master_link_status") == "up"


def test_flare_finds_the_master_through_sentinel_and_works_there(
    sentinels: SentinelSet, tmp_path: Path
) -> None:
    mention = {
        "id": "s-1",
        "text": "@acme the app logs me out every hour",
        "created_at": "2026-11-20T09:00:00Z",
        "author": {"id": "u-1", "username": "robin"},
    }
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(mention) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLARE_")}
    env.update(
        FLARE_REDIS_SENTINELS=sentinels.address,
        FLARE_REDIS_MASTER=MASTER_NAME,
        FLARE_DATA_DIR=str(tmp_path / "unused"),
    )

    def flare(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from cli.main import main; main()", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    replayed = flare("replay", str(feed))
    worked = flare("worker", "--burst")

    assert replayed.returncode == 0, replayed.stderr
    assert "1 mentions read, 1 queued for triage" in replayed.stdout
    assert worked.returncode == 0, worked.stderr
    master = redis.Redis(port=sentinels.master)
    assert master.exists("flare:case:s-1")  # triaged and stored on the master
    assert not (tmp_path / "unused").exists()  # no server of Flare's own was started


def test_after_a_failover_the_same_connection_reaches_the_new_master(
    sentinels: SentinelSet,
) -> None:
    client = connect(Settings(redis_sentinels=(sentinels.address,), redis_master=MASTER_NAME))
    client.set("before", "1")

    eventually(lambda: _failover(sentinels), within=30)  # once it has looked at the replica
    eventually(lambda: sentinels.master_port() == sentinels.replica, within=30)
    old = redis.Redis(port=sentinels.master)
    eventually(lambda: old.info("replication")["role"] == "slave", within=30)  # demoted
    eventually(lambda: _writes(client), within=30)

    assert client.get("before") == b"1"  # it was replicated before the switch
    assert redis.Redis(port=sentinels.replica).get("after") == b"1"  # written to the new master


def _failover(sentinels: SentinelSet) -> bool:
    try:
        redis.Redis(port=sentinels.sentinel).execute_command("SENTINEL", "FAILOVER", MASTER_NAME)
    except redis.ResponseError as exc:
        if "NOGOODSLAVE" in str(exc):  # until the Sentinel has the replica's state
            return False
        raise
    return True


def _writes(client: redis.Redis) -> bool:
    try:
        client.set("after", "1")
    except (redis.ConnectionError, redis.ReadOnlyError):
        return False
    return True


def test_sentinel_addresses_must_each_be_host_and_port() -> None:
    settings = Settings(redis_sentinels="10.0.0.5:26379, sentinel-b:26379")

    assert settings.sentinel_addresses() == [("10.0.0.5", 26379), ("sentinel-b", 26379)]
    with pytest.raises(ValueError, match="host:port for each Sentinel"):
        Settings(redis_sentinels="sentinel-a")
