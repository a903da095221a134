"""Lexical sentiment (VADER, lexicon shipped in the wheel) and praise."""

from __future__ import annotations

import re
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_PRAISE = re.compile(
    r"(?<!\w)(?:thank(?:s| you| u)|thx|ty|love|loved|loving|great|awesome|amazing|excellent|"
    r"fantastic|wonderful|brilliant|superb|perfect|best|kudos|props|shout ?out|appreciate\w*|"
    r"well done|good job|nice job|impressed|delight\w*|pleasure|smooth|happy|glad|grateful|"
    r"friendly|helpful|lifesaver|rock(?:s|ed)?|star|stars|hero|heroes)(?!\w)|<3|[❤💕💙😍🥰😊🙏👏👍🙌🎉😃😄]",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def analyzer() -> SentimentIntensityAnalyzer:
    """One analyzer per process: building it reads the 7,500-word lexicon."""
    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    """VADER's compound score, -1 (most negative) to +1 (most positive)."""
    return float(analyzer().polarity_scores(text)["compound"])


def praise_words(text: str) -> list[str]:
    """Words and emoji of thanks or praise, in order (sarcasm is left to the complaint signal)."""
    return [m.group(0).lower() for m in _PRAISE.finditer(text)][:5]
