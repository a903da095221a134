"""The language a post is written in: the source's tag, else a small packaged detector.

X tags most posts; webhooks, replays and other sources often do not. An untagged post is
first looked at for everyday English words (most are English, and that look costs a
microsecond or two); only a post without them goes to the detector, py3langid (BSD, its model
ships in the wheel, about 4.5 MB, plus numpy), narrowed to the languages below so a short post
is not read as a rare one. A post too short or too mixed to tell is read as English: the
English rules then find nothing in it, and a post written to us still reaches a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Tags that say nothing about the language (X: undetermined, no text, media or tags only, ...).
UNTAGGED = frozenset({"", "und", "zxx", "qme", "qht", "qam", "art"})

NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "pl": "Polish",
    "cs": "Czech",
    "ro": "Romanian",
    "hu": "Hungarian",
    "el": "Greek",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "he": "Hebrew",
    "hi": "Hindi",
    "ja": "Japanese",
    "zh": "Chinese",
    "ko": "Korean",
    "th": "Thai",
    "vi": "Vietnamese",
    "id": "Indonesian",
    "ms": "Malay",
    "tl": "Tagalog",
}
DETECTED = tuple(NAMES)  # what the detector may answer
CONFIDENT = 0.7  # below this share of the detector's belief, the post is read as English

# Short everyday English words that the other languages above do not write (no "was", "will",
# "has", "on", "to", "im", "me", "a", "in", "is": German, Spanish, French, Polish, Dutch use them).
_ENGLISH_WORDS = frozenset(
    (  # noqa: SIM905 (one string reads better than fifty quoted words)
        "the and my you your it for of this with have had can that are but just get got what why "
        "how when where who i'm it's its not at be been would please thanks thank from they we "
        "our were did does don't can't cant won't dont any"
    ).split()
)
_HANDLES_AND_LINKS = re.compile(r"[@#]\w+|https?://\S+")


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class Language:
    code: str  # ISO 639-1, lower case: "en", "es", ...
    detected: bool  # the source gave no tag; the detector (or the English look) chose it

    @property
    def name(self) -> str:
        return NAMES.get(self.code, self.code)


def name_of(code: str) -> str:
    """The language's English name, or its code when it has none here."""
    return NAMES.get(code, code)


def language(text: str, tag: str | None) -> Language:
    """The source's tag when it names a language, else what the text looks like."""
    if tag is not None:
        code = tag.strip().lower().split("-")[0].split("_")[0]
        if code not in UNTAGGED:
            return Language(code, False)
    return Language(detect(text), True)


def detect(text: str) -> str:
    """The language of an untagged post: "en" unless the detector is confident of another."""
    low = _HANDLES_AND_LINKS.sub(" ", text.lower())
    words = [w for w in low.split() if _lettered(w)]
    if not words:
        return "en"
    english = sum(w.strip('.,!?;:"()') in _ENGLISH_WORDS for w in words)
    ascii_letters = low.isascii() or not any(
        ch.isalpha() and not ch.isascii() for w in words for ch in w
    )
    if english >= 2 or (english and (ascii_letters or len(words) <= 3)):
        return "en"
    if len(words) < 3 and ascii_letters:
        return "en"  # "PS4 pro", "ok thx 👍": too short to tell, and nothing to read
    code, confidence = _identifier().classify(" ".join(words))
    return str(code) if code != "en" and confidence >= CONFIDENT else "en"


def _lettered(word: str) -> bool:
    return any(ch.isalpha() for ch in word)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """The detector, loaded on first use (about 0.8 s): most processes never need it."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(DETECTED))
    return identifier
