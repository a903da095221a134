"""Lexical sentiment (VADER, lexicon shipped in the wheel) and praise."""

from __future__ import annotations

import re
import string
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from rules.phrases import trie_pattern

# Words of thanks or praise, for lower-cased text; one trie-shaped regex (rules.phrases).
PRAISE_PHRASES = (
    *("thanks", "thank you", "thank u", "thx", "ty", "cheers", "kudos", "props", "bravo"),
    *("shout out", "shoutout", "appreciate*", "grateful", "well done", "way to go", "made my day"),
    *("love", "loved", "loving", "great", "awesome", "amazing", "excellent", "fantastic"),
    *("wonderful", "lovely", "brilliant", "superb", "perfect", "best", "nice", "stellar"),
    *("outstanding", "terrific", "splendid", "top notch", "spot on", "first class"),
    *("good job", "good work", "nice job", "impressed", "delight*", "pleasure", "smooth"),
    *("happy", "glad", "friendly", "helpful", "lifesaver", "rock", "rocks", "rocked", "star"),
    *("stars", "hero", "heroes", "enjoy", "enjoyed", "enjoying", "comfortable", "favorite"),
    *("favourite", "congrat*", "proud", "yay", "excited", "recommend", "safe home"),
    *("safely home", "can't wait", "cant wait", "cannot wait", "looking forward"),
    *(
        f"{what}{sep}free"
        for what in ("hassle", "trouble", "problem", "worry", "stress")
        for sep in (" ", "-")
    ),
    *(
        f"never had{a} {what}"
        for a in ("", " a", " an", " any")
        for what in ("problem", "problems", "issue", "issues", "trouble", "complaint", "complaints")
    ),
    "no complaints",
)
_BODY = trie_pattern(PRAISE_PHRASES)
_WORDS = re.compile(rf"(?<!\w)(?:{_BODY})")
_PRAISE = re.compile(rf"(?<!\w)(?:{_BODY})|<3|[❤💕💙😍🥰😊🙏👏👍🙌🎉😃😄]")
_PUNCTUATION = string.punctuation  # what VADER strips from around a word


@lru_cache(maxsize=1)
def analyzer() -> SentimentIntensityAnalyzer:
    """One analyzer per process: building it reads the 7,500-word lexicon."""
    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    """VADER's compound score, -1 (most negative) to +1 (most positive)."""
    vader = analyzer()
    if not might_score(vader, text):
        return 0.0
    return float(vader.polarity_scores(text)["compound"])


def might_score(vader: SentimentIntensityAnalyzer, text: str) -> bool:
    """False when VADER would surely score 0: no emoji it knows, no word in its lexicon.

    VADER gives a word a valence only when the word (as written, or with the punctuation
    around it stripped, lower-cased) is in its lexicon, and emoji only through their
    descriptions; boosters, negations and "!" merely scale valences that are there. A post
    with none of those scores exactly 0, and this look costs a tenth of scoring it.
    """
    if not text.isascii():
        emojis = vader.emojis
        if any(ch in emojis for ch in text):
            return True
    lexicon = vader.lexicon
    for token in text.split():
        word = token.lower()
        if word in lexicon or word.strip(_PUNCTUATION) in lexicon:
            return True
    return False


def praise_words(text: str) -> list[str]:
    """Words and emoji of thanks or praise, in order (sarcasm is left to the complaint signal)."""
    low = text.lower()
    pattern = _WORDS if low.isascii() and "<3" not in low else _PRAISE  # the words alone: faster
    return pattern.findall(low)[:5]
