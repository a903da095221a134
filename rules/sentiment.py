"""Lexical sentiment (VADER, lexicon shipped in the wheel) and praise."""

from __future__ import annotations

import re
import string
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from rules.phrases import pattern_finder, phrase_finder, trie_pattern

# Words of thanks or praise, for lower-cased text; one trie-shaped regex (rules.phrases).
PRAISE_PHRASES = (
    *("thanks", "thank you", "thank u", "thx", "ty", "cheers", "kudos", "props", "bravo"),
    *("thank the", "thank your", "thank everyone", "thank whoever", "thank all"),
    *("nicest", "kindest", "friendliest", "loveliest", "greatest", "sweetest", "most helpful"),
    *("brilliantly", "beautifully", "flawlessly", "wonderfully", "superbly", "like a pro"),
    *("worth it", "worth the wait", "worth every penny", "top service", "not one complaint"),
    *("not a single complaint", "zero complaints", "nothing went wrong", "never a problem"),
    *("never an issue", "always on time", "really well", "so well", "very well"),
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
    # words of praise beyond the everyday ones
    *("fabulous", "fab", "incredible", "impeccable", "seamless", "flawless", "effortless"),
    *("gorgeous", "beautiful", "stunning", "courteous", "attentive", "accommodating", "kind"),
    *("legend", "legends", "thrilled", "a+", "10/10", "5 stars", "five stars", "5 star"),
    *("five star", "above and beyond", "extra mile", "speedy", "quick and easy", "easy peasy"),
    *("so good", "really good", "very good", "super good", "crazy good", "good service"),
    *("good experience", "good deal", "good value", "so fast", "so quick", "super fast"),
    *("super quick", "really fast", "really quick", "very fast", "very quick", "quick response"),
    *("fast response", "quick reply", "fast reply", "fast delivery", "quick delivery"),
    *("quick fix", "fly again", "flying again", "fly with you again", "flying with you again"),
    *("be back", "definitely be back", "customer for life", "to die for"),
    *("definitely not the last", "certainly not the last"),
    *(
        f"made {whose} {whole}{when}"
        for whose in ("my", "his", "her", "our", "their")
        for whole in ("", "whole ")
        for when in ("day", "week", "year", "trip", "holiday", "weekend", "night")
        if (whose, whole, when) != ("my", "", "day")  # listed above
    ),
    # praise said through a negation or a dark word (PRAISE_IDIOMS below)
    *("never disappoint*", "didn't disappoint", "doesn't disappoint", "did not disappoint"),
    *("does not disappoint", "won't disappoint", "couldn't be happier", "could not be happier"),
    *("can't thank you enough", "cannot thank you enough", "can't say enough"),
    *("cannot say enough", "can't complain", "cannot complain", "nothing but love"),
    *("nothing but praise", "nothing but good", "nothing but great"),
    *("couldn't ask for more", "couldn't ask for better", "couldn't ask for a better"),
    *(
        "could not ask for more",
        "could not ask for better",
        "can't beat",
        "cannot beat",
        "can't go wrong",
        "no regrets",
    ),
    *(
        f"{never} {verb} {how} else"
        for never in ("wouldn't", "won't", "would never", "will never", "never")
        for verb in ("fly", "shop", "bank", "go", "travel", "use", "book", "stay")
        for how in ("with anyone", "anyone", "anywhere")
    ),
    *("can't fault", "cannot fault", "couldn't fault", "killing it", "nailed it", "smashing it"),
    *("smashed it", "crushing it", "top marks", "quicker than expected", "faster than expected"),
    *("better than expected", "sooner than expected", "earlier than expected"),
    *("quicker than i expected", "faster than i expected", "better than i expected"),
    *("sooner than i expected", "earlier than i expected", "never fails to impress"),
    *("never fails to amaze", "never fails to delight"),
)
# Praise that VADER reads backwards ("couldn't be happier", "to die for"), and what it means:
# the post is scored with the plain words in their place.
_IDIOMS = (  # the lookahead names every first letter: twice as fast a scan
    r"(?=[cdiknrstw])(?:never disappoint\w*|(?:did|does|will|wo)(?:n'?t| not) disappoint|"
    r"(?:couldn'?t|could not) be (?:happier|better|more pleased)|"
    r"(?:can'?t|cannot) (?:thank (?:you|u) enough|say enough|complain|beat|go wrong)|"
    r"(?:couldn'?t|could not) ask for (?:more|better|a better|anything (?:more|better))|"
    r"nothing but (?:love|praise|good|great)|no regrets|"
    r"(?:wouldn'?t|won'?t|would never|will never|never) \w+ (?:(?:with )?anyone|anywhere) else|"
    r"(?:can'?t|cannot|couldn'?t|could not) fault|(?:killing|nailed|smashing|smashed|crushing|"
    r"crushed) it|to die for|never fails to (?:impress|amaze|delight)|"
    r"(?:crazy|insanely|stupid|ridiculously|scary|wicked|damn|dangerously) good|"
    r"(?:definitely|certainly) not the last)(?!\w)"
)
PRAISE_IDIOMS = re.compile(r"(?<!\w)" + _IDIOMS)
_IDIOM = pattern_finder(_IDIOMS, every=False)  # looked for, not blanked: twin for ASCII text
_PLAIN = "really great"  # what each idiom says, for VADER

_BODY = trie_pattern(PRAISE_PHRASES)
_WORDS = phrase_finder(PRAISE_PHRASES)
_PRAISE = re.compile(rf"(?<!\w)(?:{_BODY})|<3|[❤💕💙😍🥰😊🙏👏👍🙌🎉😃😄]")
_PUNCTUATION = string.punctuation  # what VADER strips from around a word


@lru_cache(maxsize=1)
def analyzer() -> SentimentIntensityAnalyzer:
    """One analyzer per process: building it reads the 7,500-word lexicon."""
    return SentimentIntensityAnalyzer()


def sentiment(text: str, low: str | None = None) -> float:
    """VADER's compound score, -1 (most negative) to +1 (most positive); `low`: the text
    lower-cased, when the caller has it."""
    vader = analyzer()
    if not might_score(vader, text, low):
        return 0.0
    return float(vader.polarity_scores(text)["compound"])


def tone(text: str, idiom: bool | None = None, low: str | None = None) -> float:
    """The post's tone for the rules: VADER's score, with praise that VADER reads backwards
    ("couldn't be happier", "to die for") put in plain words first. `idiom`: whether the
    caller already found one of PRAISE_IDIOMS in the post (None: look); `low`: the text
    lower-cased, when the caller has it."""
    if low is None:
        low = text.lower()
    if idiom is None:
        idiom = has_praise_idiom(low)
    if idiom:
        return float(analyzer().polarity_scores(PRAISE_IDIOMS.sub(_PLAIN, low))["compound"])
    return sentiment(text, low)


def has_praise_idiom(low: str) -> bool:
    """Whether lower-cased text holds praise said through a negation or a dark word."""
    return _IDIOM.first(low.replace("’", "'")) is not None


def might_score(vader: SentimentIntensityAnalyzer, text: str, low: str | None = None) -> bool:
    """False when VADER would surely score 0: no emoji it knows, no word in its lexicon.

    VADER gives a word a valence only when the word (as written, or with the punctuation
    around it stripped, lower-cased) is in its lexicon, and emoji only through their
    descriptions; boosters, negations and "!" merely scale valences that are there. A post
    with none of those scores exactly 0, and this look costs a tenth of scoring it. `low`: the
    text lower-cased, when the caller has it (its words are the text's words, lower-cased).
    """
    if not text.isascii():
        emojis = vader.emojis
        if any(ch in emojis for ch in text):
            return True
    lexicon = vader.lexicon
    for word in (text.lower() if low is None else low).split():
        if word in lexicon or word.strip(_PUNCTUATION) in lexicon:
            return True
    return False


def praise_words(text: str, low: str | None = None) -> list[str]:
    """Words and emoji of thanks or praise, in order (sarcasm is left to the complaint signal);
    `low`: the text lower-cased, when the caller has it."""
    if low is None:
        low = text.lower()
    if _WORDS is not None and low.isascii() and "<3" not in low:  # the words alone: faster
        return _WORDS.findall(low)[:5]
    return _PRAISE.findall(low)[:5]
