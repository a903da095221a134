"""The Redis connection every process uses: via Sentinel, a URL's server, or the embedded one."""

from __future__ import annotations

import atexit
import errno
import signal
from types import FrameType

import redis

from flare.redis_server import EmbeddedRedis, EmbeddedRedisError
from flare.settings import Settings


def _exit_on_sigterm() -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, handler)


def connect(settings: Settings, socket_timeout: float | None = None) -> redis.Redis:
    """Open Redis for this process: the master the Sentinels name, else the URL's server, else
    (no URL set) join or start the embedded one.

    `socket_timeout` bounds each call (the bot sets it: Slack wants an answer within three
    seconds); workers leave it unset because RQ blocks on Redis while it waits for jobs.
    """
    options = {"socket_timeout": socket_timeout, "socket_connect_timeout": socket_timeout}
    if settings.redis_sentinels:
        return through_sentinels(settings, socket_timeout)
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, **options)
    server = EmbeddedRedis(settings.data_dir)
    try:
        url = server.acquire()
    except OSError as exc:
        why = exc.strerror or str(exc)
        if exc.errno == errno.EEXIST or exc.errno == errno.ENOTDIR:
            why = "a file is in the way, not a directory"
        where = f" ({exc.filename})" if exc.filename else ""
        raise EmbeddedRedisError(
            f"the data dir {settings.data_dir} (FLARE_DATA_DIR) can't be used: {why}{where}"
        ) from exc
    atexit.register(server.release)
    _exit_on_sigterm()  # so atexit runs and the last process out stops the server
    return redis.Redis.from_url(url, **options)


def through_sentinels(settings: Settings, socket_timeout: float | None = None) -> redis.Redis:
    """The master of FLARE_REDIS_MASTER as the Sentinels name it. Each new connection asks
    them again, and one to a server that is no longer the master is dropped (redis-py's
    SentinelConnectionPool), so after a failover the next call reaches the new master."""
    from redis.sentinel import Sentinel

    password = settings.redis_password.get_secret_value() if settings.redis_password else None
    sentinel = Sentinel(
        settings.sentinel_addresses(),
        socket_timeout=socket_timeout,
        socket_connect_timeout=socket_timeout,
        sentinel_kwargs={"socket_timeout": 2.0, "socket_connect_timeout": 2.0},
    )
    return sentinel.master_for(
        settings.redis_master,
        socket_timeout=socket_timeout,
        socket_connect_timeout=socket_timeout,
        password=password,
    )
