"""Durations as a playbook writes them: 30s, 10m, 2h, 3d, 1w."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_EXAMPLE = "expected a duration like 30s, 10m, 2h or 3d"


def parse_duration(value: Any) -> timedelta:
    """ "90s", "10m", "2h", "3d", "1w" (or a number of seconds, or a timedelta) → timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(_EXAMPLE)
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2).lower()])
    raise ValueError(f"{_EXAMPLE}, got {value!r}")


def _longer_than_zero(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


def _read_duration(value: Any) -> Any:
    """As parse_duration, but an ISO 8601 string ("PT10M", how pydantic writes a timedelta to
    JSON) is left for pydantic to read, so a model with durations survives a JSON round trip."""
    if isinstance(value, str) and value.strip()[:1] in ("P", "p"):
        return value
    return parse_duration(value)


Duration = Annotated[timedelta, BeforeValidator(_read_duration)]
PositiveDuration = Annotated[Duration, AfterValidator(_longer_than_zero)]
