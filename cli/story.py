"""The web demo's story: the sample told in acts, in accelerated time, as posts reaching X.

Four acts, found in the sample by the playbook's own readers (no post ids written here): the
normal queue, a VIP, a legal threat, then the outage spike. Each post keeps the time the sample
gives it (rebased to now, as `flare demo` does), so triage weighs the flood as it would have
come; only the telling is faster.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rules.mention import Mention
from rules.playbook import Playbook
from rules.reach import reach
from rules.risk import RiskReader
from rules.topic import TopicReader


@dataclass(frozen=True)
class Act:
    title: str
    says: str  # one line for the page: what to watch for
    mentions: tuple[Mention, ...]
    gap: float  # seconds between its posts, at speed 1


def acts(mentions: list[Mention], playbook: Playbook) -> list[Act]:
    """The sample as four acts. The spike is the topic most posts are about; its act starts at
    that topic's first post. The VIP is the first post by an author on the VIP list or of high
    reach; the legal threat the first post with a legal risk phrase. The rest before the spike
    is the normal queue."""
    ordered = sorted(mentions, key=lambda m: m.created_at)
    topics = TopicReader(playbook.topics)
    about = {m.id: topics.topic(m.text) for m in ordered}
    counted = Counter(t for t in about.values() if t)
    spike_topic = counted.most_common(1)[0][0] if counted else None
    start = next((m.created_at for m in ordered if about[m.id] == spike_topic), None)
    vip_list = frozenset(playbook.vip)
    t = playbook.thresholds
    levels = (t.influential_followers, t.high_reach_followers, t.verified_is_influential)

    def is_vip(m: Mention) -> bool:
        who = reach(m.author, vip_list, *levels)
        return who.vip or who.level == "high"

    risks = RiskReader(playbook.risks)
    vip = next((m for m in ordered if is_vip(m)), None)
    legal = next((m for m in ordered if "legal" in risks.risks(m.text) and m is not vip), None)
    picked = {m.id for m in (vip, legal) if m is not None}
    before = [m for m in ordered if m.id not in picked and (start is None or m.created_at < start)]
    flood = [
        m for m in ordered if m.id not in picked and start is not None and m.created_at >= start
    ]
    told = [
        Act(
            "The normal queue",
            "Questions, complaints and thanks: claim one and reply.",
            tuple(before),
            0.4,
        ),
        Act(
            "A VIP",
            "An author with a large audience: a card marked for a fast answer.",
            (vip,) if vip else (),
            0,
        ),
        Act(
            "A legal threat",
            "A risk phrase: PR is told, and a lead approves the reply.",
            (legal,) if legal else (),
            0,
        ),
        Act(
            f"The {spike_topic or 'outage'} spike",
            "A flood on one topic: an incident opens, the cards roll up, PR is paged down a chain.",
            tuple(flood),
            0.12,
        ),
    ]
    return [a for a in told if a.mentions]


@dataclass
class Story:
    """Tells the acts on a thread of its own: each post goes to `tell` (on X, then taken in),
    `pause` seconds between acts; `speed` shortens every wait."""

    told: list[Act]
    tell: Callable[[Mention], None]
    pause: float = 8.0
    speed: float = 1.0
    act: int = -1  # the act being told; len(told) once all are
    posts: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Story:
        self._thread = threading.Thread(target=self._run, name="flare-story", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        for i, act in enumerate(self.told):
            if i and self._stop.wait(self.pause / self.speed):
                return
            self.act = i
            for mention in act.mentions:
                self.tell(mention)
                self.posts += 1
                if self._stop.wait(act.gap / self.speed):
                    return
        self.act = len(self.told)

    def status(self) -> dict[str, Any]:
        """Where the story is, for the page."""
        return {
            "acts": [
                {"title": a.title, "says": a.says, "posts": len(a.mentions)} for a in self.told
            ],
            "act": self.act,
            "posts": self.posts,
            "done": self.act >= len(self.told),
        }
