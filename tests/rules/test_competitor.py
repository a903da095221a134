"""Whose problem it is: the competitor signal on its own, with the real complaint cues."""

from __future__ import annotations

import pytest

from rules.competitor import CompetitorReader, Rival, clauses
from rules.complaint import ComplaintReader

READER = CompetitorReader(
    ["globex", "globex air", "initech"], ("acme", "acmehelp"), ComplaintReader().stated
)


def owner(text: str) -> str | None:
    rival = READER.read(text)
    return rival.name if rival is not None else None


def test_clauses_split_at_sentence_ends_commas_and_words_that_open_a_clause() -> None:
    assert clauses("way better than @globex, they lost my parcel twice") == [
        "way better than @globex",
        "they lost my parcel twice",
    ]
    assert clauses("at least you're not like globex who cancelled.  so  far so good!") == [
        "at least you're not like globex",
        "who cancelled",
        "so far so good",
    ]
    assert clauses("switched to @acme after @globex charged me but fine") == [
        "switched to @acme",
        "after @globex charged me",
        "but fine",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "@acme way better than @globex, they lost my parcel twice",
        "at least you're not like Globex who cancelled my order",
        "switched to @acme after @globex charged me twice, so far so good",
        "@acme I hate globex, their app keeps crashing",
        "@acme so glad I moved to you from globex. Lost my parcel twice with them",
    ],
)
def test_a_problem_told_of_the_competitor_is_theirs(text: str) -> None:
    assert owner(text) == "globex"


@pytest.mark.parametrize(
    "text",
    [
        "@acme you lost my parcel, @globex never did",
        "@acme unlike globex you lost my parcel",
        "@acme better than globex but you lost my parcel",
        "@acme my parcel is lost, globex is way better",
        "@acme switching to globex, you lost my bag again",
        "@acme globex would have refunded me by now",
        "@acme never had this problem with globex",
        "@acme globex never lost my parcel",
        "@acme globex is better than you, lost my bag",
    ],
)
def test_our_own_failure_or_a_doubt_keeps_the_problem_ours(text: str) -> None:
    assert owner(text) is None


def test_a_problem_in_a_clause_naming_no_one_is_ours_unless_a_comparison_favours_us() -> None:
    assert owner("@acme I used globex. Lost my parcel twice with them") is None
    assert owner("@acme I left globex. Lost my parcel twice with them") == "globex"


def test_they_goes_on_about_whoever_was_named_last() -> None:
    assert owner("@acme globex is slow, they lost my parcel") == "globex"
    assert owner("@acme globex is slow and so are you, they lost my parcel") is None


def test_handles_that_open_a_post_address_it_and_name_no_one() -> None:
    assert owner("@acme @globex lost my parcel") is None
    assert owner("@acme sure, @globex lost my parcel") == "globex"


def test_names_match_whole_words_with_or_without_the_at_sign() -> None:
    assert owner("@acme hey, @GLOBEX lost my parcel twice") == "globex"
    assert owner("@acme hey, globexia lost my parcel twice") is None
    assert owner("@acme hey, Globex  Air lost my bag") == "globex air"


def test_no_problem_stated_is_nothing_to_give_away() -> None:
    assert owner("@acme way better than globex") is None


def test_praise_for_us_is_read_apart_from_what_is_said_of_the_competitor() -> None:
    rival = READER.read("@acme you are amazing, unlike globex who lost my parcel")
    assert rival == Rival("globex", "you are amazing")


def test_our_own_handles_are_never_taken_for_a_competitor() -> None:
    reader = CompetitorReader(["@Acme", "globex"], ("acme",), ComplaintReader().stated)
    assert reader.names == ("globex",)
    assert reader.read("@acme hey, acme lost my parcel") is None
