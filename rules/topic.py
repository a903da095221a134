"""Topic of a post from the playbook's topics: phrases weigh 2, keywords 1, first wins ties."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rules.phrases import trie_pattern
from rules.playbook import Topic


class TopicReader:
    """All topics' phrases and keywords compiled into one regex with a named group per list."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self.names = [t.name for t in topics]
        groups: list[str] = []
        self._weights: dict[str, tuple[int, int]] = {}
        for i, topic in enumerate(topics):
            for kind, words, weight in (("p", topic.phrases, 2), ("k", topic.keywords, 1)):
                body = trie_pattern(words)
                if body:
                    name = f"{kind}{i}"
                    groups.append(f"(?P<{name}>{body})")
                    self._weights[name] = (i, weight)
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(groups) + ")", re.IGNORECASE) if groups else None
        )

    def scores(self, text: str) -> dict[str, int]:
        """Each matching topic's score."""
        if self._pattern is None:
            return {}
        totals: dict[int, int] = {}
        for match in self._pattern.finditer(text):
            index, weight = self._weights[match.lastgroup or ""]
            totals[index] = totals.get(index, 0) + weight
        return {self.names[i]: s for i, s in sorted(totals.items())}

    def topic(self, text: str) -> str | None:
        """The best-scoring topic, or None."""
        scores = self.scores(text)
        if not scores:
            return None
        best = max(scores.values())
        return next(name for name, score in scores.items() if score == best)
