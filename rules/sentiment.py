"""Lexical sentiment (VADER, lexicon shipped in the wheel) and praise."""

from __future__ import annotations

import re
import string
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_PRAISE_WORDS = (  # for lower-cased text
    r"(?<!\w)(?:thank(?:s| you| u)|thx|ty|love|loved|loving|great|awesome|amazing|excellent|"
    r"fantastic|wonderful|lovely|brilliant|superb|perfect|best|kudos|props|shout ?out|"
    r"nice|good job|good work|enjoy(?:ed|ing)?|comfortable|favou?rite|congrat\w*|proud|yay|"
    r"excited|cheers|recommend|top notch|spot on|first class|safe(?:ly)? home|made my day|"
    r"bravo|way to go|stellar|outstanding|terrific|splendid|"
    r"appreciate\w*|well done|good job|nice job|impressed|delight\w*|pleasure|smooth|happy|"
    r"glad|grateful|friendly|helpful|lifesaver|rock(?:s|ed)?|star|stars|hero|heroes|"
    r"can'?t wait|cannot wait|looking forward|(?:hassle|trouble|problem|worry|stress)[ -]free|"
    r"never had (?:an? |any )?(?:problems?|issues?|trouble|complaints?)|no complaints)(?!\w)"
)
_WORDS = re.compile(_PRAISE_WORDS)
_PUNCTUATION = string.punctuation  # what VADER strips from around a word
_PRAISE = re.compile(_PRAISE_WORDS + r"|<3|[❤💕💙😍🥰😊🙏👏👍🙌🎉😃😄]")


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
