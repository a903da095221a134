"""Risk categories (legal, safety, discrimination, data/privacy, health, ...) from their phrases."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rules.phrases import trie_pattern
from rules.playbook import Risk


class RiskReader:
    """One regex with a named group per category; order is the playbook's."""

    def __init__(self, risks: Mapping[str, Risk]) -> None:
        self.labels = {name: risk.label for name, risk in risks.items()}
        groups = []
        self._names: dict[str, str] = {}
        for i, (name, risk) in enumerate(risks.items()):
            body = trie_pattern(risk.phrases)
            if body:
                groups.append(f"(?P<r{i}>{body})")
                self._names[f"r{i}"] = name
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(groups) + ")", re.IGNORECASE) if groups else None
        )

    def risks(self, text: str) -> dict[str, str]:
        """Category → the first phrase that raised it, in the order found."""
        if self._pattern is None:
            return {}
        out: dict[str, str] = {}
        for match in self._pattern.finditer(text):
            name = self._names[match.lastgroup or ""]
            out.setdefault(name, " ".join(match.group(0).lower().split()))
        return out
