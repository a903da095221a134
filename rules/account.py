"""A customer's own account hacked, taken over or locked: their emergency, not a data breach.

A breach is the brand leaking other people's data (rules.risk, the playbook's data_privacy
phrases); a customer who lost their own account needs a person soon and in private, where
nobody asks for their details in public. The post must speak for the author ("my", "I", "me"):
news that other people were hacked is not this customer's emergency.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rules.phrases import compile_phrases

_ACCOUNT = ("account", "acct", "acc", "profile", "channel", "email", "mail", "login", "id")

OWN_ACCOUNT_PHRASES = (
    "hacked",
    "hacker",
    "hackers",
    "been compromised",
    "was compromised",
    "got compromised",
    "is compromised",
    "compromised account",
    "locked out",
    "locked me out",
    "lock me out",
    "keeps locking me out",
    "someone logged into my",
    "someone logged in to my",
    "someone is logged into my",
    "someone accessed my",
    "somebody accessed my",
    "someone is using my",
    "someone used my account",
    "someone changed my",
    "somebody changed my",
    "changed my password without",
    "i didn't change it",
    "i did not change it",
    "unauthori* login*",
    "unauthori* log in",
    "unauthori* access",
    "unauthori* purchase*",
    "unauthori* charge*",
    "unauthori* transaction*",
    "unauthori* payment*",
    "fraudulent charge*",
    "fraudulent transaction*",
    "fraudulent purchase*",
    "fraudulent payment*",
    "purchases i didn't make",
    "charges i didn't make",
    "payments i didn't make",
    "orders i didn't place",
    "took over my",
    "taken over my",
    "account takeover",
    "lost access to my",
    *(
        f"{who} {aux} {verb} my"
        for who in ("someone", "somebody", "some one")
        for aux in ("is", "has been", "keeps", "kept", "was", "been", "keeps on")
        for verb in (
            "logging into",
            "logging in to",
            "signing into",
            "signing in to",
            "trying to log into",
            "trying to log in to",
            "trying to sign into",
            "trying to get into",
            "trying to access",
            "accessing",
            "using",
        )
    ),
    *(f"password {be} changed" for be in ("got", "was", "has been", "had been", "been", "is")),
    *(f"{a} {verb}" for a in _ACCOUNT for verb in ("was stolen", "got stolen", "stolen")),
    *(
        f"{a} {be} {state}"
        for a in _ACCOUNT
        for be in ("was", "is", "got", "has been", "have been", "been", "keeps getting")
        for state in ("locked", "suspended", "disabled", "deactivated", "terminated", "banned")
    ),
    *(
        f"{state} my {a}"
        for a in _ACCOUNT
        for state in (
            "locked",
            "suspended",
            "disabled",
            "deactivated",
            "terminated",
            "banned",
            "closed",
        )
    ),
)

_FIRST_PERSON = re.compile(r"(?<!\w)(?:i|i'm|im|i've|ive|my|me|mine|we|our|us)(?!\w)")


# Someone else in the author's account, with a word or three between ("someone from russia
# logging into my spotify", "somebody in another country signed into my account").
_INTRUDER = re.compile(
    r"(?<!\w)some ?(?:one|body)(?: \w+){0,3} (?:is |was |keeps |has been )?"
    r"(?:logg|sign)(?:ing|ed) ?in(?:to| to)? my(?!\w)"
)


# Other people's accounts as the subject: "users being hacked", "people in my community are
# getting hacked". News about others, not the author's own emergency.
_OTHERS = re.compile(
    r"(?<!\w)(?:users|people|accounts|others|friends|streamers|customers|everyone|folks|players|"
    r"members|followers|so many|lots)(?: \w+){0,4} (?:being|getting|were|are|have been|got|get)"
    r" $"
)


class AccountReader:
    """The first sign that the author's own account was hacked or locked, or None."""

    def __init__(self, extra_phrases: Iterable[str] = ()) -> None:
        self._pattern = compile_phrases([*OWN_ACCOUNT_PHRASES, *extra_phrases])

    def read(self, text: str, low: str | None = None) -> str | None:
        """`low`: the text lower-cased, when the caller has it."""
        if self._pattern is None:
            return None
        low = (text.lower() if low is None else low).replace("’", "'")
        match = next(
            (m for m in self._pattern.finditer(low) if not _OTHERS.search(low, 0, m.start())),
            None,
        )
        if match is None and "some" in low:
            match = _INTRUDER.search(low)
        if match is None or _FIRST_PERSON.search(low) is None:
            return None
        return " ".join(match.group(0).split())
