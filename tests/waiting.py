"""Waiting for work done after a reply (Bolt runs listeners after the ack), bounded."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(check: Callable[[], T], within: float = 10.0) -> T:
    """Call `check` until it returns something truthy; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        try:
            result = check()
            if result:
                return result
            error: Exception | None = None
        except (AssertionError, LookupError) as exc:
            error = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {within} s") from error
        time.sleep(0.02)
