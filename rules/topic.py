"""Topic of a post from the playbook's topics: phrases weigh 2, keywords 1, first wins ties."""

from __future__ import annotations

from collections.abc import Sequence

from rules.phrases import tagged_finder
from rules.playbook import Topic


class TopicReader:
    """All topics' phrases and keywords compiled into one regex that tags each match's list."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self.names = [t.name for t in topics]
        lists: list[list[str]] = []
        self._weights: list[tuple[int, int]] = []  # per list: (topic index, weight)
        for i, topic in enumerate(topics):
            for words, weight in ((topic.phrases, 2), (topic.keywords, 1)):
                lists.append(words)
                self._weights.append((i, weight))
        self._finder = tagged_finder(lists)

    def scores(self, text: str, low: str | None = None) -> dict[str, int]:
        """Each matching topic's score; `low`: the text lower-cased, when the caller has it."""
        if self._finder is None:
            return {}
        totals: dict[int, int] = {}
        for owner in self._finder.owners(text.lower() if low is None else low):
            index, weight = self._weights[owner]
            totals[index] = totals.get(index, 0) + weight
        return {self.names[i]: s for i, s in sorted(totals.items())}

    def topic(self, text: str, low: str | None = None) -> str | None:
        """The best-scoring topic, or None."""
        scores = self.scores(text, low)
        if not scores:
            return None
        best = max(scores.values())
        return next(name for name, score in scores.items() if score == best)
