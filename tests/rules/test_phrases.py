"""Phrase lists as one regex each, and several lists tagged in one regex."""

from __future__ import annotations

import re

from rules.phrases import (
    compile_phrases,
    found,
    pattern_finder,
    phrase_finder,
    tagged_finder,
    tagged_pattern,
    trie_pattern,
)

TEXTS = [
    "still waiting on my refund, still no answer",
    "the app is down again and support is down too",
    "i was charged twice and my card was charged again",
    "nothing to see here",
    "refunded? no. refunds never come. refunding is a myth",
    "on hold, on hold again, holding forever",
]


def test_a_longer_phrase_wins_over_its_prefix() -> None:
    pattern = compile_phrases(["still", "still waiting", "no answer"])
    assert found(pattern, TEXTS[0]) == ["still waiting", "still", "no answer"]


def test_found_keeps_distinct_matches_in_order_up_to_the_limit() -> None:
    pattern = compile_phrases(["on hold", "hold*", "again", "forever"])
    assert found(pattern, TEXTS[5]) == ["on hold", "again", "holding", "forever"]
    assert found(pattern, TEXTS[5], limit=2) == ["on hold", "again"]
    assert found(None, TEXTS[5]) == []


def test_phrases_match_whole_words_across_any_run_of_space() -> None:
    pattern = compile_phrases(["charged twice"])
    assert found(pattern, "i was charged   twice") == ["charged twice"]
    assert found(pattern, "overcharged twice") == []


def _one_group_per_list(lists: list[list[str]]) -> re.Pattern[str]:
    """The plain way to join lists: a named group per list, tried one after another."""
    groups = [f"(?P<l{i}>{trie_pattern(words)})" for i, words in enumerate(lists)]
    return re.compile(r"(?<!\w)(?:" + "|".join(groups) + ")")


def _tags(pattern: re.Pattern[str], owner: list[int], text: str) -> list[tuple[int, str]]:
    return [(owner[m.lastindex or 0], m.group(0)) for m in pattern.finditer(text)]


def test_tagged_lists_match_exactly_as_if_tried_one_after_another() -> None:
    lists = [
        ["is down", "down again"],
        ["down", "app", "support"],
        ["charged twice", "card"],
        ["charge*", "refund*", "again"],
        ["still", "still waiting", "no answer"],
        ["on hold", "hold*"],
    ]
    plain = _one_group_per_list(lists)
    pattern, owner = tagged_pattern(lists)
    assert pattern is not None
    for text in TEXTS:
        expected = [(int(m.lastgroup[1:]), m.group(0)) for m in plain.finditer(text)]  # type: ignore[index]
        assert _tags(pattern, owner, text) == expected, text
    assert _tags(pattern, owner, "down again, down") == [(0, "down again"), (1, "down")]


def test_a_phrase_that_starts_with_a_star_still_tags_its_list() -> None:
    lists = [["*funded"], ["refund*"]]
    pattern, owner = tagged_pattern(lists)
    assert pattern is not None
    assert _tags(pattern, owner, "refunded and refunds") == [(0, "refunded"), (1, "refunds")]


def test_no_phrases_give_no_pattern() -> None:
    assert tagged_pattern([[], [" "]]) == (None, [])
    assert compile_phrases([]) is None


def test_a_finder_finds_what_its_regex_finds_in_any_text() -> None:
    phrases = ["still", "still waiting", "no answer", "on hold", "hold*", "charged twice", "café"]
    phrases.append(r"a\s+ b")  # a backslash, an s and a plus are only characters to match
    finder = phrase_finder(phrases)
    pattern = compile_phrases(phrases)
    assert finder is not None and finder.ascii is not None and pattern is not None
    texts = [
        *TEXTS,
        "still\x1cwaiting",  # a separator VADER and `\\s` take for space
        "Still waiting, still-waiting,still waiting; no answer!no answer",
        "still waiting at the café, on hold — holding",
        "onhold stillwaiting nohold",
        r"a\s+ b, a b, a\s+  b",
        "",
    ]
    for text in texts:
        low = text.lower()
        assert found(finder, low, 10) == found(pattern, low, 10), text


def test_a_list_with_a_phrase_ending_outside_a_word_gets_no_twin() -> None:
    finder = phrase_finder(["a+", "<3"])  # the twin would take the "+" from in front of "<3"
    assert finder is not None and finder.ascii is None
    assert found(finder, "a+<3") == ["a+", "<3"]
    assert phrase_finder([" "]) is None


def test_a_tagged_finder_tags_each_match_as_its_regex_does() -> None:
    lists = [["is down", "down again"], ["down", "app*"], ["charged twice", "card"]]
    finder = tagged_finder(lists)
    pattern, owner = tagged_pattern(lists)
    assert finder is not None and finder.ascii is not None and pattern is not None
    for text in [*TEXTS, "the app is down again, apps down", "café card, down"]:
        assert finder.owners(text) == [tag for tag, _ in _tags(pattern, owner, text)], text
        assert finder.any(text) == (pattern.search(text) is not None), text
    assert tagged_finder([[], []]) is None


def test_a_hand_written_pattern_finds_its_first_match_in_any_text() -> None:
    body = r"(?:he+l+p+!|no(?: one)?|why)(?!\w)"
    finder = pattern_finder(body, every=False)
    plain = re.compile(r"(?<!\w)" + body)
    for text in ["heeelp!no one", "nobody, why", "so... why?", "é no", "", "helpno"]:
        match = plain.search(text)
        assert finder.first(text) == (match.group(0) if match else None), text
