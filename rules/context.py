"""What the engine remembers between mentions: author history and spike state per topic."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from rules.playbook import SpikeSettings
from rules.spike import ALL_TOPICS, SpikeState, count_traffic, observe, state_of


@dataclass
class AuthorHistory:
    posts: list[float] = field(default_factory=list)  # epoch seconds, oldest first
    abuse: list[float] = field(default_factory=list)  # abusive posts with no substance

    def posts_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.posts if start <= t <= end)

    def abuse_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.abuse if start <= t <= end)

    def stop_due_before(self, at: float, window: float, repeat: int) -> bool:
        """Whether an earlier abusive post, within `window` before `at`, already made `repeat`.

        That post warranted the private request to stop (§2.4); abuse after it means the
        request did not work, and the account is reported.
        """
        return any(
            self.abuse_between(t - window, t) >= repeat for t in self.abuse if at - window <= t < at
        )


@dataclass
class Snapshot:
    """What a batch needs to know, read in one go; the engine updates it as it decides."""

    authors: dict[str, AuthorHistory] = field(default_factory=dict)
    spikes: dict[str, SpikeState] = field(default_factory=dict)


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class PostEvent:
    author_id: str
    mention_id: str
    at: float  # epoch seconds of the post
    abusive: bool


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class TopicEvent:
    topic: str
    mention_id: str
    minute: int  # epoch minute of the post


@dataclass
class Changes:
    """What a batch adds; applying it twice (a retried batch) must change nothing twice."""

    spike: SpikeSettings
    keep: timedelta  # how long author history is kept
    posts: list[PostEvent] = field(default_factory=list)
    topics: list[TopicEvent] = field(default_factory=list)


class Context(Protocol):
    def load(
        self, author_ids: Collection[str], topics: Collection[str], since: datetime
    ) -> Snapshot:
        """Author history since `since`, and the spike state of each topic, as a copy."""
        ...

    def save(self, changes: Changes) -> None:
        """Record a batch's posts and topic events, once per mention id."""
        ...


class MemoryContext:
    """The context in a dict: for `flare triage`, backtests and tests."""

    def __init__(self) -> None:
        self.authors: dict[str, AuthorHistory] = {}
        self.spikes: dict[str, SpikeState] = {}
        self._posts_seen: set[str] = set()
        self._topics_seen: set[str] = set()

    def load(
        self, author_ids: Collection[str], topics: Collection[str], since: datetime
    ) -> Snapshot:
        start = since.timestamp()
        snap = Snapshot()
        for author_id in author_ids:
            known = self.authors.get(author_id)
            if known is not None:
                snap.authors[author_id] = AuthorHistory(
                    [t for t in known.posts if t >= start], [t for t in known.abuse if t >= start]
                )
        for topic in topics:
            if topic in self.spikes:
                snap.spikes[topic] = self.spikes[topic].copy()
        return snap

    def save(self, changes: Changes) -> None:
        for post in changes.posts:
            if post.mention_id in self._posts_seen:
                continue
            self._posts_seen.add(post.mention_id)
            history = self.authors.get(post.author_id)
            if history is None:
                history = self.authors[post.author_id] = AuthorHistory()
            history.posts.append(post.at)
            if post.abusive:
                history.abuse.append(post.at)
            if len(history.posts) > 1 and history.posts[-2] > post.at:
                history.posts.sort()
                history.abuse.sort()
        for event in changes.topics:
            if event.mention_id in self._topics_seen:
                continue
            self._topics_seen.add(event.mention_id)
            overall = state_of(self.spikes, ALL_TOPICS)
            count_traffic(overall, changes.spike, event.minute)
            state = state_of(self.spikes, event.topic)
            observe(state, changes.spike, event.minute, overall=overall)
