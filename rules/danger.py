"""Someone in danger: self-harm, or the author threatening to hurt someone.

Such a post reaches a lead at once (P1) with a reply that points to help, whatever else it says:
it is never ignored, dropped as spam, or left unchased for its age. Everyday idioms that borrow
the words ("I'd rather die than call again", "this queue is killing me", "career suicide") are
blanked out first, so they read as the complaint or the joke they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rules.phrases import tagged_pattern

# The author may hurt themselves. Said plainly or half-said; for lower-cased text.
SELF_HARM = (
    "don't want to live",
    "do not want to live",
    "dont want to live",
    "don't wanna live",
    "dont wanna live",
    "don't want to be alive",
    "dont want to be alive",
    "do not want to be alive",
    "don't want to be here anymore",
    "dont want to be here anymore",
    "don't want to exist",
    "dont want to exist",
    "want to die",
    "wanna die",
    "want to be dead",
    "wish i was dead",
    "wish i were dead",
    "wish i wasn't alive",
    "wish i wasn't born",
    "wish i had never been born",
    "end it all",
    "about ending it",
    "thoughts of ending it",
    "ending it all",
    "end my life",
    "ending my life",
    "take my own life",
    "taking my own life",
    "take my life",
    "kill myself",
    "killing myself",
    "want to hurt myself",
    "going to hurt myself",
    "gonna hurt myself",
    "feel like hurting myself",
    "harm myself",
    "harming myself",
    "want to cut myself",
    "cutting myself again",
    "been cutting myself",
    "started cutting myself",
    "self harm",
    "self-harm",
    "self harming",
    "self-harming",
    "suicidal",
    "suicide",
    "no reason to live",
    "nothing to live for",
    "not worth living",
    "better off dead",
    "better off without me",
    "point in living",
    "point of living",
    "point to living",
    "no point living",
    "no point in going on",
    "can't go on anymore",
    "cant go on anymore",
    "cannot go on anymore",
    "nobody would miss me",
    "no one would miss me",
    "nobody would care if i died",
    "no one would care if i died",
    "overdose",
    "overdosed",
    "took all my pills",
    "taken all my pills",
    "take all my pills",
    "jump off a bridge",
    "jump in front of a train",
    "saying goodbye to everyone",
)

# Hurting someone else: "I" will do it, to a person (or to a place where people are).
_THREAT_SUBJECTS = (
    "i will",
    "i'll",
    "ill",
    "i'm going to",
    "im going to",
    "i am going to",
    "i'm gonna",
    "im gonna",
    "i am gonna",
    "i'm about to",
    "im about to",
    "i swear i'll",
    "i'm coming to",
    "im coming to",
    "i'm coming down there to",
    "come down there and",
    "come over there and",
    "come in there and",
    "come round there and",
    "come to your store and",
)
_HARM_TO_PEOPLE = ("kill", "hurt", "stab", "shoot", "strangle", "murder", "beat up", "attack")
_PEOPLE = (
    "you",
    "u",
    "ya",
    "someone",
    "somebody",
    "everyone",
    "everybody",
    "all of you",
    "one of you",
    "your staff",
    "your employees",
    "your driver",
    "your agent",
    "your agents",
    "your people",
    "your manager",
    "your ceo",
    "the driver",
    "the manager",
    "the staff",
    "the agent",
    "him",
    "her",
    "them",
    "whoever",
)
_HARM_TO_PLACES = ("burn down", "blow up", "bomb", "shoot up")
_PLACES = ("your", "the store", "the shop", "the office", "the building", "this place", "you")

THREATS = (
    *(
        f"{who} {verb} {whom}"
        for who in _THREAT_SUBJECTS
        for verb in _HARM_TO_PEOPLE
        for whom in _PEOPLE
    ),
    *(
        f"{who} {verb} {where}"
        for who in _THREAT_SUBJECTS
        for verb in _HARM_TO_PLACES
        for where in _PLACES
    ),
    "shoot up your",
    "shoot up the",
    "i know where you live",
    "i know where your",
    "i know where he lives",
    "i know where she lives",
    "bring a gun",
    "bring my gun",
    "bringing a gun",
    "bringing my gun",
    "put a bullet in",
    "watch your back",
    "someone is going to get hurt",
    "somebody is going to get hurt",
    "someone's going to get hurt",
    "someone will get hurt",
    "people are going to get hurt",
)

# Idioms and names that borrow the words; blanked before looking (lower-cased text).
_IDIOMS = re.compile(
    r"(?<!\w)(?:(?:rather|would|could|i'?d) die|to die for|dying to|die (?:of|from|laughing)|"
    r"(?:want to|wanna) die (?:of|from|laughing|when|every time)|died laughing|"
    r"kill(?:ing)? myself laughing|"
    r"(?:career|social|political|financial|commercial|brand|business|professional|fashion) "
    r"suicide|suicide (?:squad|doors?|mission|run)|kill (?:it|them with kindness)|"
    r"shoot (?:you|u|ya|y'all) (?:a|an|over|the)|"
    r"blow(?:ing)? up (?:your|ur|the|my) (?:phone|mentions|dms?|inbox|notifications|timeline|"
    r"lines?|emails?|twitter|account|socials))(?!\w)"
)


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class Danger:
    kind: str  # "self-harm" or "threat to hurt someone"
    phrase: str

    def describe(self) -> str:
        return f'{self.kind} ("{self.phrase}")'


_KINDS = ("self-harm", "threat to hurt someone")


class DangerReader:
    """Finds a first-person sign of self-harm or of a threat; extra phrases from the playbook."""

    def __init__(self, self_harm: Iterable[str] = (), threats: Iterable[str] = ()) -> None:
        # No ASCII twin (rules.phrases.tagged_finder): these lists are long, and a twin per
        # language took about 0.2 s each to compile, what it saves over some 100,000 posts.
        self._pattern, self._owner = tagged_pattern(
            [[*SELF_HARM, *self_harm], [*THREATS, *threats]]
        )

    def read(self, text: str, low: str | None = None) -> Danger | None:
        """The first sign of danger in the post, or None; `low`: the text lower-cased, when the
        caller has it."""
        if self._pattern is None:
            return None
        low = (text.lower() if low is None else low).replace("’", "'")
        if self._pattern.search(low) is None:  # the usual case: one look, no idioms to blank
            return None
        match = self._pattern.search(_IDIOMS.sub(" ", low))
        if match is None:
            return None
        return Danger(_KINDS[self._owner[match.lastindex or 0]], " ".join(match.group(0).split()))
