"""Whose problem is it: a post that names a competitor may complain about them, not about us."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rules.units import handle

# A clause ends at a sentence end or a comma, or just before a word that starts a new one; the
# word stays at the start of the clause it opens ("who lost my parcel").
_CLAUSE = re.compile(
    r"[.!?;:\n]+\s*|,\s*|\s+(?=(?:but|who|which|they|their|after|unlike|whereas|because)(?!\w))"
)
# Clauses that go on about whoever was named last: "…, who lost my parcel", "they charged me".
_BACK = re.compile(r"(?:who|which|they|their|theyre)(?!\w)")
# A third party anywhere in a clause: "lost my parcel twice with them".
_THIRD = re.compile(r"(?<!\w)(?:they|them|their|theirs|theyre)(?!\w)")
_YOU = r"you|your|yours|you're|youre|you've|you'd|you'll|u|ur|y'all|yall|yourselves"
_NEGATION = re.compile(r"(?<!\w)(?:never|not|no|\w+n't|didnt|doesnt|hasnt|havent|wasnt|wont|cant)$")
_LEADING = re.compile(r"(?:\s*@\w+)+")


@dataclass(slots=True, frozen=True)
class Rival:
    """The competitor a post's problem belongs to, and what the post says besides."""

    name: str  # as the playbook lists it
    ours: str  # the clauses that are not about the competitor: where praise for us is looked for


def clauses(low: str) -> list[str]:
    """Lower-cased text cut into clauses, each with its spaces tidied; empty ones dropped."""
    out = []
    for part in _CLAUSE.split(low):
        tidy = " ".join(part.split())
        if tidy:
            out.append(tidy)
    return out


def _alternation(names: Iterable[str]) -> str:
    """Names as regex alternatives, longest first, any run of spaces matching one space."""
    ordered = sorted({" ".join(n.split()) for n in names if n.strip()}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(word) for word in n.split()) for n in ordered)


def _negated_before(clause: str, cue: str) -> bool:
    """True when the cue comes just after a negation ("never lost", "not late")."""
    at = clause.find(cue)
    return at > 0 and _NEGATION.search(clause[:at].rstrip()) is not None


class CompetitorReader:
    """Decides whether the problem a post states belongs to a competitor the playbook names.

    Conservative by design: unless every stated problem sits in a clause about a competitor, and
    nothing in the post holds the competitor up as the better choice, the problem is ours.
    """

    def __init__(
        self,
        names: Sequence[str],
        brand: Iterable[str],
        stated: Callable[[str], Sequence[str]],
    ) -> None:
        """`stated(clause)`: the problems and grievances a lower-cased clause states."""
        own = {handle(b) for b in brand}
        listed = (handle(n) for n in names)
        self.names = tuple(dict.fromkeys(n for n in listed if n and n not in own))
        self._stated = stated
        them = rf"@?(?:{_alternation(self.names)})"
        us = _YOU + ("|@?(?:" + _alternation(own) + ")" if own else "")
        self._them = re.compile(rf"(?<!\w){them}(?!\w)")
        self._us = re.compile(rf"(?<!\w)(?:{us})(?!\w)")
        us_named = rf"(?:{us}|us)"
        self._favours_us = re.compile(
            rf"(?<!\w)(?:(?:better|nicer|faster|cheaper|more helpful) than|unlike|not like|"
            rf"nothing like|not as bad as|compared to|compared with|(?:switched|switching|moved|"
            rf"moving|changed|came|coming) (?:over )?from|left|leaving|ditched|dumped|done with|"
            rf"instead of|rather than) {them}(?!\w)|"
            rf"(?<!\w)(?:switch|switched|switching|move|moved|moving|came|coming|changed|"
            rf"changing|converted)(?: over| back)? to {us_named}(?!\w)|"
            rf"(?<!\w){them} (?:could|should|needs? to) learn(?!\w)"
        )
        self._favours_them = re.compile(
            rf"(?<!\w)(?:(?:switch|switched|switching|move|moved|moving|go|going|went|gone|"
            rf"back|changing|changed|defect\w*)(?: over| back)? to|"
            rf"(?:should(?:'ve| have)|wish i(?:'d| had)) (?:gone|stayed|used|flown|booked|"
            rf"ordered|chosen|picked|bought)(?: with| from)?|"
            rf"never (?:had|have|get|got)(?: \w+){{0,3}} (?:with|from|at)) {them}(?!\w)|"
            rf"(?<!\w){them}(?: (?:is|are|was|were|does|do|did|has|have|would|always)){{0,2}}"
            rf"(?: \w+)? (?:better|cheaper|faster|nicer|would(?:'ve| have)|never fails)(?!\w)|"
            rf"(?<!\w){them} (?:never|would never|wouldn't|doesn't|didn't|hasn't|has never)"
            rf"(?: (?:do|does|did|has|had|would|have))?(?:\s*[.!?,;]|\s*$)|"
            rf"(?<!\w)(?:(?:better|nicer|faster|cheaper|more helpful) than|unlike|instead of) "
            rf"{us_named}(?!\w)"
        )

    def read(self, text: str) -> Rival | None:
        """The competitor whose problem the post states, or None when it is (or may be) ours."""
        low = text.lower().replace("’", "'")
        leading = _LEADING.match(low)  # the handles a post opens with address it, name no party
        if leading:
            low = low[leading.end() :]
        if self._them.search(low) is None or self._favours_them.search(low):
            return None
        favoured = self._favours_us.search(low) is not None
        last: str | None = None  # the party named last: a competitor's name, or "" for us
        rival: str | None = None
        ours: list[str] = []
        for clause in clauses(low):
            named = [(m.start(), handle(m.group(0))) for m in self._them.finditer(clause)]
            named += [(m.start(), "") for m in self._us.finditer(clause)]
            owner: str | None = None
            if named:
                owner = named[0][1] if all(name for _, name in named) else None
                last = max(named)[1]
            elif _BACK.match(clause) or (favoured and _THIRD.search(clause)):
                owner = last or None
            cues = self._stated(clause)
            if owner is None:
                if cues:
                    return None  # a problem of ours
                ours.append(clause)
            elif cues:
                if any(_negated_before(clause, cue) for cue in cues):
                    return None  # "globex never lost my parcel": unsure, so ours
                rival = rival or owner
        if rival is None:
            return None
        return Rival(rival, " ".join(ours))
