"""Reach of an author: followers, verified, on the playbook's VIP list."""

from __future__ import annotations

from dataclasses import dataclass

from rules.mention import Author
from rules.units import count


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class Reach:
    level: str  # "normal", "influential" or "high"
    vip: bool
    reasons: tuple[str, ...]

    @property
    def influential(self) -> bool:
        return self.level != "normal" or self.vip


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
        reasons.append(f"{count(author.followers)} followers")
    if author.verified and verified_is_influential:
        reasons.append("verified")
        if level == "normal":
            level = "influential"
    if is_vip:
        reasons.append("on the VIP list")
    return Reach(level, is_vip, tuple(reasons))
