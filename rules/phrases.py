"""Phrase lists turned into one precompiled, case-insensitive, trie-shaped regex per list."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_END = ""  # marks the end of a phrase in the trie


def _atoms(phrase: str) -> list[str]:
    """A phrase as regex atoms: a character each, spaces as any run of space, `*` as a word tail."""
    atoms: list[str] = []
    for i, word in enumerate(phrase.lower().split()):
        if i:
            atoms.append(r"\s+")
        atoms.extend(r"\w*" if ch == "*" else re.escape(ch) for ch in word)
    return atoms


def _emit(node: dict[str, Any]) -> str:
    branches = [atom + _emit(child) for atom, child in node.items() if atom != _END]
    if not branches:
        return r"(?!\w)"
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body}|(?!\\w))" if _END in node else body


def trie_pattern(phrases: Iterable[str]) -> str | None:
    """Whole-word alternatives as one trie: each position tries one branch per character.

    Longer phrases win over their prefixes ("still waiting" before "still"). The pattern does
    not check the start of a word; callers put `(?<!\\w)` in front once.
    """
    trie: dict[str, Any] = {}
    for phrase in phrases:
        if not phrase.strip():
            continue
        node = trie
        for atom in _atoms(phrase):
            node = node.setdefault(atom, {})
        node[_END] = {}
    return _emit(trie) if trie else None


def phrase_pattern(phrase: str) -> str:
    """One phrase as a regex: whole words, any run of spaces, `*` matches the rest of a word."""
    return r"(?<!\w)" + "".join(_atoms(phrase)) + r"(?!\w)"


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """All phrases as one regex, or None for an empty list."""
    body = trie_pattern(phrases)
    return None if body is None else re.compile(r"(?<!\w)" + body, re.IGNORECASE)


def found(pattern: re.Pattern[str] | None, text: str, limit: int = 5) -> list[str]:
    """The distinct matches of `pattern` in `text`, lower case, in order, at most `limit`."""
    if pattern is None:
        return []
    out: list[str] = []
    for match in pattern.finditer(text):
        hit = " ".join(match.group(0).lower().split())
        if hit not in out:
            out.append(hit)
            if len(out) >= limit:
                break
    return out
