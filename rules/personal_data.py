"""Personal data in a post: email addresses, phone numbers, card numbers, booking references."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_EMAIL_TAIL = re.compile(r"@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)  # a quick first look
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){2,3}(?!\w)"
)
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_BOOKING = re.compile(
    r"(?<!\w)(?:booking|reservation|confirmation|order|ticket|pnr|ref(?:erence)?|case|account|acct)"
    r"(?:\s+(?:number|no\.?|code|ref|id))?\s*(?:#|:|is)?\s*([A-Z0-9]{5,12})(?!\w)",
    re.IGNORECASE,
)
# The words one of those must start with, looked for first in case-folded text (far cheaper).
_BOOKING_WORD = re.compile(r"booking|reservation|confirmation|order|ticket|pnr|ref|case|acc")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


_NOT_DIGIT = re.compile(r"\D+")


def personal_data(text: str) -> list[str]:
    """The kinds of personal data found: "email", "phone", "card", "booking_ref" (in that order)."""
    kinds: list[str] = []
    if "@" in text and _EMAIL_TAIL.search(text) and _EMAIL.search(text):
        kinds.append("email")
    digits = len(_NOT_DIGIT.sub("", text))
    if not digits:  # a card, a phone number and a booking reference all hold a digit
        return kinds
    if digits < 9:  # fewer than a phone number's: only a booking reference can be there
        return kinds + _booking(text)
    cards = [_NOT_DIGIT.sub("", m.group(0)) for m in _CARD.finditer(text)]
    if any(13 <= len(d) <= 19 and luhn_ok(d) for d in cards):
        kinds.append("card")
    for match in _PHONE.finditer(text):
        found = _NOT_DIGIT.sub("", match.group(0))
        if 9 <= len(found) <= 13 and not (len(found) >= 13 and luhn_ok(found)):
            kinds.append("phone")
            break
    return kinds + _booking(text)


def _booking(text: str) -> list[str]:
    """["booking_ref"] when a booking, order or case reference with a digit is given."""
    if _BOOKING_WORD.search(text.casefold()) is None:
        return []
    for match in _BOOKING.finditer(text):
        code = match.group(1)
        if any(c.isdigit() for c in code) and (code.isupper() or code.isdigit()):
            return ["booking_ref"]
    return []
