"""Checks on a reply or DM draft before it goes out: length as X counts it, personal data, tone."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flare.case import Case
from flare.time import Clock, utcnow
from rules.personal_data import personal_data
from rules.playbook import Playbook
from rules.sentiment import sentiment
from rules.templates import render_template
from rules.toxicity import toxicity

X_LIMIT = 280
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_URL_WEIGHT = 23  # X shortens every link to t.co and counts it as 23 characters


def _weight(ch: str) -> int:
    """X counts most CJK, Hangul and emoji code points as two characters."""
    code = ord(ch)
    if code <= 0x10FF or 0x2000 <= code <= 0x200D or 0x2010 <= code <= 0x201F:
        return 1
    if 0x2032 <= code <= 0x2037:
        return 1
    return 2


def x_length(text: str) -> int:
    """The length X will count for a post: links as 23, wide characters as 2."""
    total = 0
    last = 0
    for match in _URL.finditer(text):
        total += sum(_weight(c) for c in text[last : match.start()]) + _URL_WEIGHT
        last = match.end()
    return total + sum(_weight(c) for c in text[last:])


def with_signature(text: str, signature: str) -> str:
    text = text.rstrip()
    return f"{text} {signature}" if signature and not text.endswith(signature) else text


@dataclass(frozen=True)
class DraftCheck:
    length: int
    limit: int | None
    personal_data: tuple[str, ...] = ()
    tone: str | None = None

    @property
    def too_long(self) -> bool:
        return self.limit is not None and self.length > self.limit

    @property
    def blocked(self) -> str | None:
        """Why the draft may not be sent as it is, or None."""
        if self.too_long:
            return f"{self.length}/{self.limit} characters with your signature: shorten it."
        if self.personal_data:
            kinds = ", ".join(self.personal_data)
            return f"Personal data ({kinds}) must not go out in public: take it to DM."
        return None

    def summary(self) -> str:
        line = f"{self.length}/{self.limit} characters" if self.limit else f"{self.length} chars"
        if self.too_long:
            line += " (too long)"
        if self.personal_data:
            line += f" · personal data: {', '.join(self.personal_data)}"
        if self.tone:
            line += f" · tone: {self.tone}"
        return line


def check_draft(text: str, public: bool) -> DraftCheck:
    """Length (public replies only), personal data (blocks a public reply), tone (a warning)."""
    found = tuple(personal_data(text)) if public else ()
    tone = None
    rude = toxicity(text)
    if rude.score >= 1:
        tone = f"reads as rude ({', '.join(rude.words) or 'shouting'})"
    elif sentiment(text) <= -0.5:
        tone = "reads as negative: check it sounds like help"
    return DraftCheck(
        length=x_length(text),
        limit=X_LIMIT if public else None,
        personal_data=found,
        tone=tone,
    )


LATE_INSTEAD_OF = frozenset({"answer", "ownership", "considered"})
"""Templates a late answer replaces: one that takes the talk private, speaks to someone in
danger, or holds for PR says what it must however late it is."""


def drafter_for(playbook: Playbook, clock: Clock = utcnow) -> Callable[[Case, str], str]:
    """Pre-fill a reply or DM from the playbook's template for the case, written for the person.

    A case found late or past its target unanswered is offered the late-reply template (own
    the delay, give the reason, help), its {delay} counted up to now."""

    def draft(case: Case, kind: str) -> str:
        private = "harassment_stop" if case.decision.template == "harassment_stop" else None
        key = case.decision.template if kind == "reply" else private
        decision = case.decision
        if kind == "reply" and case.late and key in LATE_INSTEAD_OF:
            key = "late_reply"
            decision = decision.model_copy(update={"age": clock() - case.mention.created_at})
        if not key or key not in playbook.templates:
            return ""
        return render_template(playbook, key, case.mention, decision).strip()

    return draft
