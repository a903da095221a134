"""The threads that run the Slack app's listeners after their ack, drained before the bot stops."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any


class Listeners(ThreadPoolExecutor):
    """Bolt's listener executor: it knows which listeners are still running, so a bot told to
    stop can finish what it acknowledged before it exits."""

    def __init__(self, threads: int) -> None:
        super().__init__(max_workers=threads, thread_name_prefix="bolt-listener")
        self._running: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)

    def drain(self, timeout: float) -> int:
        """Take no more work and wait up to `timeout` s for the listeners running or queued;
        returns how many had not finished."""
        self.shutdown(wait=False)
        with self._lock:
            running = list(self._running)
        _, unfinished = wait(running, timeout=timeout)
        return len(unfinished)
