"""Durations as a playbook writes them: 30s, 10m, 2h, 3d, 1w."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_EXAMPLE = "expected a duration like 30s, 10m, 2h or 3d"
# The longest duration a playbook may write: every one is added to a post's time (a response
# target, a window), and a year is beyond any of them; past it the dates overflow.
LONGEST = timedelta(days=366)
_TOO_LONG = "must be at most 366d (52w)"


def parse_duration(value: Any) -> timedelta:
    """ "90s", "10m", "2h", "3d", "1w" (or a number of seconds, or a timedelta) → timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(_EXAMPLE)
    if isinstance(value, int | float):
        return _seconds(float(value), value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return _seconds(float(match.group(1)) * _UNITS[match.group(2).lower()], value)
    raise ValueError(f"{_EXAMPLE}, got {value!r}")


def _seconds(seconds: float, written: Any) -> timedelta:
    """A duration of `seconds`, if it is no longer than `LONGEST` either way (checked before
    timedelta is built, which overflows past 999999999 days; a negative one is refused as such
    by the field that needs it positive)."""
    if seconds < -LONGEST.total_seconds():
        raise ValueError(f"must be longer than zero, got {written!r}")
    if not seconds <= LONGEST.total_seconds():  # also NaN
        raise ValueError(f"{_TOO_LONG}, got {written!r}")
    return timedelta(seconds=seconds)


def _within_bounds(value: timedelta) -> timedelta:
    if value > LONGEST:
        raise ValueError(_TOO_LONG)
    return value


def _longer_than_zero(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


def _read_duration(value: Any) -> Any:
    """As parse_duration, but an ISO 8601 string ("PT10M", how pydantic writes a timedelta to
    JSON) is left for pydantic to read, so a model with durations survives a JSON round trip."""
    if isinstance(value, str) and value.strip()[:1] in ("P", "p"):
        return value  # bounded after pydantic reads it
    return parse_duration(value)


Duration = Annotated[timedelta, BeforeValidator(_read_duration), AfterValidator(_within_bounds)]
PositiveDuration = Annotated[Duration, AfterValidator(_longer_than_zero)]
