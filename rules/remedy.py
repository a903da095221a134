"""What we did to put a problem right, as a customer thanks us for it ("thanks for the refund")."""

from __future__ import annotations

import re

# Acts of putting something right, and what they gave: the object of thanks in "thanks for
# rebooking me after the cancellation", "appreciate the refund for the broken heater", "the agent
# who sorted my lost card". Beside thanks, the problem they name is over (issue 11, family 2).
_ACT = (
    r"rebook\w*|re-?rout\w*|vouchers?|credit(?:ed)?|refund(?:ed)?|compensat\w*|upgrad\w*|"
    r"replac\w*|help(?:ed|ing|s)?|assist\w*|sort(?:ed|ing)|fix(?:ed|ing)?|"
    r"t(?:aking|ook|ake) care|handl(?:ed|ing)|dealt with|dealing with|"
    r"follow(?:ing|ed)?[- ]?up|call(?:ing|ed)? (?:me |us )?back|callback|"
    r"(?:getting|got|get) (?:me|us|my|our|it)|let(?:ting)? (?:me|us)|cover(?:ed|ing)|waiv\w*|"
    r"repl(?:y|ied|ying)|(?:quick |fast |speedy |prompt )?response|respond(?:ed|ing)|"
    r"answer(?:ed|ing)|patien(?:t|ce)|reunit\w*|unlock\w*|apolog\w*|updates?|heads[- ]up|"
    r"(?:kept|keeping|keep) (?:us|me) (?:informed|updated|posted)|"
    r"(?:sent|sending) (?:a|an|someone|the|me)|look(?:ing|ed) into|made it right|"
    r"making it right|went above|going above"
)
# A thanks word and an act in one clause, either way round ("thanks for the refund", "the
# agent who rebooked us, thank you"), with no "but" between them.
_THANKS = r"thank|thx|appreciat\w*|grateful|cheers|kudos|props|shout ?out"
_CLAUSE = r"(?:(?!\bbut\b|\bthough\b)[^.!?;\n]){0,60}?"
_THANKED = re.compile(
    rf"(?<!\w)(?:(?:{_THANKS})(?:\w*){_CLAUSE}(?<!\w)(?P<act>{_ACT})(?!\w)|"
    rf"(?P<first>{_ACT})(?!\w){_CLAUSE}(?<!\w)(?:{_THANKS}))"
)
_CLAUSE_END = re.compile(r"[,.!?;\n]|(?<!\w)(?:but|though|however|now|too)(?!\w)")
_ACTS = re.compile(rf"(?<!\w)(?:{_ACT})(?!\w)")
# "no refund", "never got a voucher", "without an apology": the act did not happen.
_WITHHELD = re.compile(
    r"(?:(?<!\w)(?:no|not|never|without|zero|nor|any)|n't)(?:\s+(?:even|yet|got|get|a|an|the|"
    r"my|any|single|one))*\s*$"
)


def thanked_for(low: str) -> tuple[int, int] | None:
    """Where a lower-cased post thanks us for an act of putting things right: the span of its
    clause, from the thanks to the clause's end ("thanks for rebooking me after the cancellation"),
    or from the clause's start to the thanks ("the agent who rebooked us, thank you"); None when
    there is no such thanks, or the act was withheld ("thanks, but no refund")."""
    for match in _THANKED.finditer(low):
        act = "act" if match.group("act") else "first"
        if _WITHHELD.search(low[max(0, match.start(act) - 24) : match.start(act)]) is not None:
            continue
        if act == "act":
            end = _CLAUSE_END.search(low, match.end())
            return _trimmed(low, match.start(), end.start() if end else len(low))
        starts = [low.rfind(mark, 0, match.start()) for mark in ",.!?;\n"]
        return _trimmed(low, max(starts) + 1, match.end())
    return None


def _trimmed(low: str, start: int, end: int) -> tuple[int, int]:
    while start < end and low[start].isspace():
        start += 1
    while end > start and low[end - 1].isspace():
        end -= 1
    return start, end


def within(span: str) -> bool:
    """Whether a stretch of lower-cased text names an act of putting things right ("thanks
    for handling my delayed luggage": the failure is what was handled, not sarcasm)."""
    return _ACTS.search(span) is not None
