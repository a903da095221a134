"""Shared fixtures: a real Redis (Flare's embedded one), fake Slack, PagerDuty and SMTP, a bot."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from pydantic import SecretStr

from cli.standin import SlackStandIn
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from tests.fakes.pager import fake_pager
from tests.fakes.smtp import fake_smtp

__all__ = ["fake_pager", "fake_smtp"]

SIGNING_SECRET = "test-signing-secret"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """One real Redis server for the session: Flare's own embedded one."""
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    server.acquire()
    yield server
    server.release()


@pytest.fixture
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    """A clean database for each test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def fake_slack() -> Iterator[SlackStandIn]:
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def settings(tmp_path: Path, redis_server: EmbeddedRedis, fake_slack: SlackStandIn) -> Settings:
    """Settings as an operator would set them, pointed at the test Redis and the fake Slack."""
    return Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        brand={"handles": ("acme", "acmehelp")},
        slack={
            "bot_token": SecretStr("xoxb-test"),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.base_url,
            "alerts_channel": "C0ALERTS",
            "pr_channel": "C0PR",
            "agents": ("*",),  # everyone, on purpose: Flare's default lets nobody post on X
        },
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def serve_wsgi() -> Iterator[object]:
    """Start a WSGI app on a random 127.0.0.1 port with waitress; returns its base URL."""
    from flare.http import Server

    servers = []

    def start(app: Any) -> str:
        server = Server(app, "127.0.0.1", free_port(), threads=4).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.port}"

    yield start
    for server in servers:
        server.close()


def at(text: str) -> datetime:
    """A fixed instant for tests: at("2026-11-20T09:30")."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
