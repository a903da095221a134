"""Spread of a post: reposts, quotes and replies per minute of its age, and its blast radius."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from rules.mention import Mention
from rules.units import duration


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class Spread:
    engagement: int  # reposts + quotes + replies
    age_minutes: float
    per_minute: float
    spreading: bool
    reason: str | None


def spread(mention: Mention, now: datetime, per_minute: float, minimum: int) -> Spread:
    """Whether the post is climbing fast for its age ("140 reposts in 12 min")."""
    m = mention.metrics
    engagement = m.reposts + m.quotes + m.replies
    elapsed = now - mention.created_at
    age = max(elapsed.total_seconds() / 60.0, 1.0)
    rate = engagement / age
    spreading = engagement >= minimum and rate >= per_minute
    reason = None
    if spreading:
        parts = [
            f"{n} {label}"
            for n, label in ((m.reposts, "reposts"), (m.quotes, "quotes"), (m.replies, "replies"))
            if n
        ]
        reason = f"{', '.join(parts)} in {duration(elapsed)}"
    return Spread(engagement, round(age, 1), round(rate, 2), spreading, reason)


def blast_radius(followers: int, per_minute: float, sentiment: float) -> float:
    """Reach × spread × negativity on one scale (about 0-14): log audience, log speed, tone."""
    audience = math.log10(1 + max(followers, 0))
    speed = 2.0 * math.log10(1 + max(per_minute, 0.0) * 10)
    negativity = 2.0 * max(0.0, -sentiment)
    return round(audience + speed + negativity, 2)
