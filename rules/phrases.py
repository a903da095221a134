"""Phrase lists turned into one precompiled, trie-shaped regex per list, run on lower-cased text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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
    trie = _trie(phrases)
    return _emit(trie) if trie else None


def _trie(phrases: Iterable[str]) -> dict[str, Any]:
    """Phrases as nested dicts of atoms, in the order first seen; `_END` marks a phrase's end."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        if not phrase.strip():
            continue
        node = trie
        for atom in _atoms(phrase):
            node = node.setdefault(atom, {})
        node[_END] = {}
    return trie


def tagged_pattern(lists: Sequence[Iterable[str]]) -> tuple[re.Pattern[str] | None, list[int]]:
    """Several phrase lists as one regex for lower-cased text, and which list each match is from.

    `owner[match.lastindex]` is the index of the list a match came from. At each place the
    lists are tried in their order, exactly as `(?:trie0|trie1|...)` would, but the branches
    are gathered by first character (branches that begin with different characters cannot both
    match at one place), so most places are turned down in one step rather than one per list.
    """
    branches = [
        (first, _emit(rest), index)
        for index, phrases in enumerate(lists)
        for first, rest in _trie(phrases).items()
    ]
    if not branches:
        return None, []
    gathered: dict[str, list[tuple[str, int]]] = {}
    if any(first == r"\w*" for first, _, _ in branches):  # a leading `*`: any first character
        for n, (first, rest, index) in enumerate(branches):
            gathered[f"{n}:{first}"] = [(rest, index)]
    else:
        for first, rest, index in branches:
            gathered.setdefault(first, []).append((rest, index))
    owner = [-1]  # group 0 is the whole match
    parts = []
    for key, items in gathered.items():
        alternatives = []
        for rest, index in items:
            alternatives.append(rest + "()")  # an empty group, numbered in order, names the list
            owner.append(index)
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        parts.append(key.split(":", 1)[-1] + body)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")"), owner


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """All phrases as one regex for lower-cased text, or None for an empty list.

    Matching lower-cased text with a case-sensitive pattern is about twice as fast as
    re.IGNORECASE, so readers lower the text once and hand that to every pattern.
    """
    body = trie_pattern(phrases)
    return None if body is None else re.compile(r"(?<!\w)" + body)


def found(pattern: re.Pattern[str] | None, low: str, limit: int = 5) -> list[str]:
    """The distinct matches of `pattern` in lower-cased `low`, in order, at most `limit`."""
    if pattern is None:
        return []
    hits = pattern.findall(low)  # no groups in a phrase pattern: whole matches, no Match objects
    if not hits:
        return []
    return list(dict.fromkeys(" ".join(hit.split()) for hit in hits))[:limit]
