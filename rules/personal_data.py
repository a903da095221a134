"""Personal data in a post: email addresses, phone numbers, card numbers, booking references."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){2,3}(?!\w)"
)
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_BOOKING = re.compile(
    r"(?<!\w)(?:booking|reservation|confirmation|order|ticket|pnr|ref(?:erence)?|case|account|acct)"
    r"(?:\s+(?:number|no\.?|code|ref|id))?\s*(?:#|:|is)?\s*([A-Z0-9]{5,12})(?!\w)",
    re.IGNORECASE,
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def personal_data(text: str) -> list[str]:
    """The kinds of personal data found: "email", "phone", "card", "booking_ref" (in that order)."""
    kinds: list[str] = []
    if "@" in text and _EMAIL.search(text):
        kinds.append("email")
    cards = [d for d in (re.sub(r"\D", "", m.group(0)) for m in _CARD.finditer(text))]
    if any(13 <= len(d) <= 19 and luhn_ok(d) for d in cards):
        kinds.append("card")
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if 9 <= len(digits) <= 13 and not (len(digits) >= 13 and luhn_ok(digits)):
            kinds.append("phone")
            break
    for match in _BOOKING.finditer(text):
        code = match.group(1)
        if any(c.isdigit() for c in code) and (code.isupper() or code.isdigit()):
            kinds.append("booking_ref")
            break
    return kinds
