"""The embedded Redis: one server per data dir, shared by processes, stopped by the last one out."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import redis

from flare.redis_server import EmbeddedRedis


def _other_process(data_dir: Path, script: str) -> str:
    code = textwrap.dedent(f"""
        from pathlib import Path
        import redis
        from flare.redis_server import EmbeddedRedis
        server = EmbeddedRedis(Path({str(data_dir)!r}))
        client = redis.Redis.from_url(server.acquire())
    """) + textwrap.dedent(script)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_second_process_joins_the_running_server_and_leaves_it_up(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    client = redis.Redis.from_url(server.acquire())
    client.set("greeting", "hello")

    seen = _other_process(
        tmp_path, "print(client.get('greeting').decode()); print(server.release())"
    )

    assert seen.splitlines() == ["hello", "False"]
    assert client.ping()
    assert server.release() is True


def test_the_last_process_out_stops_the_server_and_nothing_is_lost(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    redis.Redis.from_url(server.acquire()).rpush("cases", "1", "2", "3")
    assert server.release() is True
    assert not server.socket_path.exists() or not _answers(server)

    again = EmbeddedRedis(tmp_path)
    client = redis.Redis.from_url(again.acquire())
    assert client.lrange("cases", 0, -1) == [b"1", b"2", b"3"]
    again.release()


def test_a_client_killed_without_releasing_does_not_keep_the_server_alive(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    server.acquire()
    _other_process(tmp_path, "import os; os._exit(0)")  # gone without release, like kill -9

    assert server.release() is True


def test_a_long_data_dir_gets_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    server = EmbeddedRedis(deep)
    assert len(str(server.socket_path)) <= 100
    assert redis.Redis.from_url(server.acquire()).ping()
    server.release()


def _answers(server: EmbeddedRedis) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(server.socket_path)).ping())
    except redis.RedisError:
        return False
