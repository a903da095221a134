"""Reach of an author: followers, verified, on the playbook's VIP list."""

from __future__ import annotations

from dataclasses import dataclass

from rules.mention import Author


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class Reach:
    level: str  # "normal", "influential" or "high"
    vip: bool
    reasons: tuple[str, ...]

    @property
    def influential(self) -> bool:
        return self.level != "normal" or self.vip


def compact(number: float) -> str:
    """2400000 → "2.4M", 12500 → "12.5k", 980 → "980"."""
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(number) >= size:
            text = f"{number / size:.1f}".rstrip("0").rstrip(".")
            return f"{text}{unit}"
    return f"{number:g}" if isinstance(number, float) else str(number)


def reach(
    author: Author,
    vip: frozenset[str],
    influential_followers: int,
    high_reach_followers: int,
    verified_is_influential: bool = True,
) -> Reach:
    """How far the author's word carries, with reasons such as "2.4M followers"."""
    reasons: list[str] = []
    is_vip = author.username.lower() in vip
    level = "normal"
    if author.followers >= high_reach_followers:
        level = "high"
    elif author.followers >= influential_followers:
        level = "influential"
    if level != "normal":
        reasons.append(f"{compact(author.followers)} followers")
    if author.verified and verified_is_influential:
        reasons.append("verified")
        if level == "normal":
            level = "influential"
    if is_vip:
        reasons.append("on the VIP list")
    return Reach(level, is_vip, tuple(reasons))
