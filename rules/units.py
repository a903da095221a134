"""Counts, durations and handles as Flare shows and compares them, one way everywhere."""

from __future__ import annotations

from datetime import timedelta

_UNITS = ((1_000, "K"), (1_000_000, "M"), (1_000_000_000, "B"))


def count(n: float) -> str:
    """A count as people write it: 980, 12.5K, 2.4M, 1.5B.

    One decimal at most, dropped when it is zero; a count that rounds up to a thousand of one unit
    shows in the next (999_960 → "1M", not "1000K").
    """
    size = abs(n)
    if size < 1_000:
        return f"{n:g}" if isinstance(n, float) else str(n)
    sign = "-" if n < 0 else ""
    for limit, unit in _UNITS:
        scaled = round(size / limit, 1)
        if scaled < 1_000 or unit == "B":
            break
    return f"{sign}{scaled:.1f}".removesuffix(".0") + unit


def duration(span: timedelta, words: bool = False, seconds: bool = False) -> str:
    """A duration read at a glance: "under 1 min", "4 min", "3 h", "2 days".

    Whole minutes under 90 minutes, the nearest hour under 48 hours, the nearest day beyond; a
    negative span reads as its length. `words`: spelled out for a customer ("4 minutes", "1 hour").
    `seconds`: under a minute, the seconds themselves ("30 s"), for a time someone must act in.
    """
    minutes = abs(span.total_seconds()) / 60
    if minutes < 1 and seconds:
        n = int(minutes * 60)
        return f"{n} second{'s' if n != 1 else ''}" if words else f"{n} s"
    if minutes < 1:
        return "under a minute" if words else "under 1 min"
    if minutes < 90:
        n, short, long = int(minutes), "min", "minute"
    elif minutes < 48 * 60:
        n, short, long = int(minutes / 60 + 0.5), "h", "hour"
    else:
        n, short, long = int(minutes / 1440 + 0.5), "days", "day"
    if not words:
        return f"{n} {short}"
    return f"{n} {long}" if n == 1 else f"{n} {long}s"


def handle(name: str) -> str:
    """A handle (or a name) as Flare compares it: "  @AcmeAir " → "acmeair", no "@", lower case,
    single spaces."""
    return " ".join(name.strip().lstrip("@").lower().split())
