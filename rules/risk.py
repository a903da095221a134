"""Risk categories (legal, safety, discrimination, data/privacy, health, ...) from their phrases."""

from __future__ import annotations

from collections.abc import Mapping

from rules.phrases import compile_phrases, tagged_finder
from rules.playbook import Risk


class RiskReader:
    """One regex that tags each match with its category; order is the playbook's.

    The categories' `harmless` phrases ("to add insult to injury", "if I recall") are blanked
    out before a post is read, but only once a risk phrase was seen: most posts have none.
    """

    def __init__(self, risks: Mapping[str, Risk]) -> None:
        self.labels = {name: risk.label for name, risk in risks.items()}
        self._names = list(risks)
        self._finder = tagged_finder([risk.phrases for risk in risks.values()])
        self._harmless = compile_phrases(p for risk in risks.values() for p in risk.harmless)

    def risks(self, text: str, low: str | None = None) -> dict[str, str]:
        """Category → the first phrase that raised it, in the order found; `low`: the text
        lower-cased, when the caller has it."""
        if self._finder is None:
            return {}
        if low is None:
            low = text.lower()
        if not self._finder.any(low):  # the usual case: one look, nothing to blank
            return {}
        if self._harmless is not None:
            low = self._harmless.sub(" ", low.replace("’", "'"))
        out: dict[str, str] = {}
        for match in self._finder.anywhere.finditer(low):
            name = self._names[self._finder.owner[match.lastindex or 0]]
            out.setdefault(name, " ".join(match.group(0).split()))
        return out
