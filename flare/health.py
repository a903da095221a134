"""What /healthz checks beyond Redis: each a function that names what is wrong, or None."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from rq import worker_registration

from flare.queues import QueueName, queue

Check = Callable[[], str | None]  # None when all is well, else the reason, in a few words


def unserved(client: redis.Redis) -> list[str]:
    """The queues no live worker serves: none registered for it with a key that has not expired
    (a worker renews it while it lives, and it lapses seconds after the worker dies)."""
    missing = []
    for name in QueueName:
        registered = list(worker_registration.get_keys(queue=queue(client, name)))
        if not registered or not client.exists(*registered):
            missing.append(name.value)
    return missing


def workers_alive(client: redis.Redis) -> Check:
    """Every queue has a live worker (`unserved`)."""

    def check() -> str | None:
        missing = unserved(client)
        if missing:
            return f"workers: no live worker serves {', '.join(missing)} (run `flare worker`)"
        return None

    return check


def stream_connected(connected: Callable[[], bool], grace: float = 60.0) -> Check:
    """The X stream is connected, or was within `grace` seconds (a reconnect takes a moment;
    the process's start counts as connected)."""
    last = [time.monotonic()]

    def check() -> str | None:
        now = time.monotonic()
        if connected():
            last[0] = now
            return None
        if now - last[0] > grace:
            return f"stream: the X stream has been disconnected for {int(now - last[0])} s"
        return None

    return check
