"""Abuse in a post, fast: one precompiled regex of insults, profanity and hostility."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rules.phrases import found, pattern_finder, phrase_finder

# Profanity, written plainly or masked (f*ck, sh!t, f***ing): rude, not abusive by itself.
_PROFANITY = pattern_finder(  # every match starts in a word: its twin finds them all
    r"(?:f[\W_]*[u\*@][\W_]*c?[\W_]*k\w*|fck\w*|fk|fkn|wtf|stfu|sh[i1!\*]t\w*|"
    r"bull ?sh[i1!\*]t|crap\w*|damn\w*|goddamn\w*|hell|piss\w*|bastard\w*|b[i1!\*]tch\w*|"
    r"a[s\$]{2}(?:hole)?s?|arse\w*|dick\w*|prick\w*|cock\w*|bollocks|bloody)(?!\w)",
    every=True,
)  # for lower-cased text, like every phrase pattern

# Insults and hostility aimed at people: abusive.
INSULTS = (
    "idiot",
    "idiots",
    "moron",
    "morons",
    "imbecile*",
    "stupid",
    "dumb",
    "dumbass",
    "retard*",
    "scum",
    "scumbag*",
    "clown",
    "clowns",
    "loser",
    "losers",
    "jerk",
    "jerks",
    "pig",
    "pigs",
    "trash",
    "garbage people",
    "worthless",
    "useless idiots",
    "incompetent idiots",
    "pathetic losers",
    "go to hell",
    "burn in hell",
    "rot in hell",
    "drop dead",
    "kill yourself",
    "kys",
    "go die",
    "just die",
    "die in a fire",
    "hope you die",
    "hope you all die",
    "you should die",
    "screw you",
    "shut up",
    "get lost",
    "you suck",
    "u suck",
    "you people",
    "bunch of",
    "clueless",
    "brainless",
    "parasites",
    "vultures",
    "crooks",
    "thieves",
    "liars",
    "frauds",
    "hate you",
    "hate u",
    "piece of shit",
    "pos",
    "douche*",
    "twat*",
    "wanker*",
    "cunt*",
)


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class Toxicity:
    score: float  # 0 none; 1 rude; 2 or more abusive
    words: tuple[str, ...]

    @property
    def abusive(self) -> bool:
        return self.score >= 2


class ToxicityReader:
    """Scores abuse; `extra_words` (insults) come from the playbook."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._insult = phrase_finder([*INSULTS, *extra_words])

    def read(self, text: str, low: str | None = None) -> Toxicity:
        """`low`: the text lower-cased, when the caller has it."""
        if low is None:
            low = text.lower()
        insults = found(self._insult, low)
        profane = _PROFANITY.findall(low)[:5]
        shouting = _shouting(text)
        score = 2.0 * len(insults) + 1.0 * len(profane) + (0.5 if shouting else 0.0)
        return Toxicity(min(score, 10.0), tuple(insults + profane))


_NOT_LETTER = re.compile(r"[^A-Za-z]+")
_NOT_UPPER = re.compile(r"[^A-Z]+")


def _shouting(text: str) -> bool:
    """Mostly capitals: over 70% of at least 12 letters, so at least 9 capitals."""
    upper = len(_NOT_UPPER.sub("", text))
    if upper < 9:
        return False
    letters = len(_NOT_LETTER.sub("", text))
    return letters >= 12 and upper / letters > 0.7


_default = ToxicityReader()


def toxicity(text: str) -> Toxicity:
    """How abusive a post is, and the words that say so."""
    return _default.read(text)
