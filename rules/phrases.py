"""Phrase lists as trie-shaped regexes for lower-cased text, with faster twins for ASCII text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_END = ""  # marks the end of a phrase in the trie
_SPACE = r"\s+"
_ASCII_SPACE = r"[\s\x1c-\x1f]+"  # under re.ASCII: what `\s` is in ASCII text without it


def _atoms(phrase: str) -> list[str]:
    """A phrase as regex atoms: a character each, spaces as any run of space, `*` as a word tail."""
    atoms: list[str] = []
    for i, word in enumerate(phrase.lower().split()):
        if i:
            atoms.append(_SPACE)
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
    body, owner = _tagged_body(lists)
    return (None if body is None else re.compile(r"(?<!\w)" + body)), owner


def _tagged_body(lists: Sequence[Iterable[str]]) -> tuple[str | None, list[int]]:
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
    return "(?:" + "|".join(parts) + ")", owner


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """All phrases as one regex for lower-cased text, or None for an empty list.

    Matching lower-cased text with a case-sensitive pattern is about twice as fast as
    re.IGNORECASE, so readers lower the text once and hand that to every pattern.
    """
    body = trie_pattern(phrases)
    return None if body is None else re.compile(r"(?<!\w)" + body)


@dataclass(frozen=True, slots=True)
class PhraseFinder:
    """A phrase list for `found`: its regex, and a twin that finds the same in ASCII text faster.

    A scan with `(?<!\\w)` in front tries every place of the text. The twin (`ascii_twin`) is
    tried only after a character that is not part of a word, which the scan finds with one
    table lookup a character (a third fewer instructions). In ASCII text the two find the same
    (`twin_finds_all`), else the list keeps its one regex.
    """

    anywhere: re.Pattern[str]  # (?<!\w)body
    ascii: re.Pattern[str] | None  # \W(body) under re.ASCII: `ascii_twin`
    every: bool = True  # the twin finds every match, not only the first (`twin_finds_all`)

    def findall(self, low: str) -> list[str]:
        """Every match in lower-cased `low`, as `re.findall` with `anywhere` gives them."""
        if self.every and self.ascii is not None and low.isascii():
            return self.ascii.findall(" " + low)
        return self.anywhere.findall(low)

    def first(self, low: str) -> str | None:
        """The first match in lower-cased `low`, or None."""
        if self.ascii is not None and low.isascii():
            match = self.ascii.search(" " + low)
            return None if match is None else match.group(1)
        match = self.anywhere.search(low)
        return None if match is None else match.group(0)


def pattern_finder(body: str, every: bool) -> PhraseFinder:
    """A hand-written regex that matches from the start of a word (`body`, with no groups and
    no `\\s`) as a `PhraseFinder`; `every`: whether its twin finds every match (see
    `twin_finds_all`: true when no match can both start and end outside a word)."""
    return PhraseFinder(re.compile(r"(?<!\w)" + body), ascii_twin(f"({body})"), every)


@dataclass(frozen=True, slots=True)
class TaggedFinder:
    """Several phrase lists in one regex (`tagged_pattern`), with its ASCII twin when that finds
    every match (`ascii_twin`): `owners` says which list each match came from."""

    anywhere: re.Pattern[str]
    ascii: re.Pattern[str] | None
    owner: list[int]

    def owners(self, low: str) -> list[int]:
        """The list of each match in lower-cased `low`, in order (`tagged_pattern`'s owner)."""
        if self.ascii is not None and low.isascii():
            matches = self.ascii.finditer(" " + low)
        else:
            matches = self.anywhere.finditer(low)
        owner = self.owner
        return [owner[match.lastindex or 0] for match in matches]

    def any(self, low: str) -> bool:
        """Whether a phrase of any list is in lower-cased `low`."""
        if self.ascii is not None and low.isascii():
            return self.ascii.search(" " + low) is not None
        return self.anywhere.search(low) is not None


def tagged_finder(lists: Sequence[Iterable[str]]) -> TaggedFinder | None:
    """Phrase lists as a `TaggedFinder`, or None when they hold no phrase."""
    lists = [list(phrases) for phrases in lists]
    body, owner = _tagged_body(lists)
    if body is None:
        return None
    twin = None
    if twin_finds_all(p for phrases in lists for p in phrases):
        twin = ascii_twin(_ascii_spaces(body))  # no group of its own: `lastindex` names the list
    return TaggedFinder(re.compile(r"(?<!\w)" + body), twin, owner)


def _ascii_spaces(body: str) -> str:
    """A phrase body with its runs of space spelt for re.ASCII (`ascii_twin`). Only the space
    atom reads `\\s+`: re.escape puts a backslash before every `+` of a phrase."""
    return body.replace(_SPACE, _ASCII_SPACE)


def phrase_finder(phrases: Iterable[str]) -> PhraseFinder | None:
    """A phrase list as a `PhraseFinder` (see `compile_phrases`), or None for an empty list."""
    phrases = list(phrases)
    body = trie_pattern(phrases)
    if body is None:
        return None
    anywhere = re.compile(r"(?<!\w)" + body)
    if not twin_finds_all(phrases):
        return PhraseFinder(anywhere, None)
    return PhraseFinder(anywhere, ascii_twin(f"({_ascii_spaces(body)})"))


def ascii_twin(body: str) -> re.Pattern[str]:
    """The twin of `(?<!\\w)body` for text that is all ASCII: `\\W body` under re.ASCII, run
    over the text with a space put in front (its matches hold that one character more).

    Its first match is always the first match of `(?<!\\w)body`: in ASCII text re.ASCII
    changes nothing but `\\s` (bodies must spell space as `[\\s\\x1c-\\x1f]`). Every match is
    too (`findall`, `finditer`) when `twin_finds_all` holds for the body.
    """
    return re.compile(rf"\W{body}", re.ASCII)


def twin_finds_all(phrases: Iterable[str]) -> bool:
    """Whether the ASCII twin finds every match of the phrases, not only the first.

    A match of the twin takes the character in front of it; after a match that ends with a
    character outside a word ("a+"), that character is the one the next match needs in front
    of it, and if that match starts right there (outside a word too: "<3"), the twin misses it.
    """
    stems = [p.strip().strip("*") for p in phrases if p.strip()]
    if not all(stems):  # a phrase of stars only: it may match nothing at all
        return False
    ends_outside = any(re.match(r"\w", stem[-1]) is None for stem in stems)
    starts_outside = any(re.match(r"\w", stem[0]) is None for stem in stems)
    return not (ends_outside and starts_outside)


def found(pattern: re.Pattern[str] | PhraseFinder | None, low: str, limit: int = 5) -> list[str]:
    """The distinct matches of `pattern` in lower-cased `low`, in order, at most `limit`."""
    if pattern is None:
        return []
    hits = pattern.findall(low)  # no groups in a phrase pattern: whole matches, no Match objects
    if not hits:
        return []
    return list(dict.fromkeys(" ".join(hit.split()) for hit in hits))[:limit]
