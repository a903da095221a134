"""Spam and bots: promotional phrases, link and tag stuffing, bot-like accounts, floods."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rules.mention import Mention
from rules.phrases import found, phrase_finder

SPAM_PHRASES = (
    "follow back",
    "follow for follow",
    "f4f",
    "check my profile",
    "check out my",
    "dm me for",
    "dm for promo",
    "promo code",
    "earn money",
    "make money",
    "work from home",
    "get rich",
    "free followers",
    "buy followers",
    "crypto giveaway",
    "airdrop",
    "giveaway",
    "click here",
    "click the link",
    "limited offer",
    "100% free",
    "investment opportunity",
    "forex",
    "bitcoin",
    "nft drop",
    "onlyfans",
    "xxx",
    "casino",
    "betting tips",
    "cheap followers",
    "win an iphone",
    "win a free",
    "won a free",
    "claim your prize",
    "double your",
    "whatsapp me",
    "telegram me",
)

_DEFAULT_NAME = re.compile(r"^[a-z]+_?\d{6,}$", re.IGNORECASE)
_TAG = re.compile(r"[#@]\w+")
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)


@dataclass(slots=True)  # not frozen: built per mention, and frozen costs ~1 µs more
class SpamVerdict:
    spam: bool
    signs: tuple[str, ...]


class SpamReader:
    """Reads the signs of spam and bots; extra promotional phrases come from the playbook."""

    def __init__(self, extra_phrases: Iterable[str] = ()) -> None:
        self._phrases = phrase_finder([*SPAM_PHRASES, *extra_phrases])

    def read(self, mention: Mention, recent_posts: int, flood_per_hour: int) -> SpamVerdict:
        """Two signs make spam: each distinct promotional phrase is one, a flood is two.

        One promotional word is not enough ("I work from home and your wifi drops", "I won a
        car in the casino but never got it"); the engine also keeps any post that states a
        customer's problem or asks about one, whatever its signs (rules.engine).
        """
        signs: list[str] = []
        weight = 0
        text = mention.text
        promo = found(self._phrases, text.lower(), 3)
        if promo:
            signs.append(f"promotional ({', '.join(promo)})")
            weight += len(promo)
            if mention.urls or _LINK.search(text):
                signs.append("a link beside it")
                weight += 1
        if recent_posts >= flood_per_hour:
            signs.append(f"{recent_posts} posts in the last hour")
            weight += 2
        if text.count("#") + text.count("@") >= 3:  # fewer cannot be 3 tags: skip the regexes
            links = len(_LINK.findall(text)) + len(mention.urls)
            tags = len(_TAG.findall(text))
        else:
            links = tags = 0
        if tags >= 6 or (links >= 2 and tags >= 3):
            signs.append(f"{tags} tags and {links} links")
            weight += 1
        author = mention.author
        if author.followers < 10 and _DEFAULT_NAME.match(author.username or ""):
            signs.append("default-looking handle with no followers")
            weight += 1
        if author.following >= 1000 and author.followers * 50 < author.following:
            signs.append(f"follows {author.following}, followed by {author.followers}")
            weight += 1
        if author.created_at is not None and author.tweet_count:
            days = max((mention.created_at - author.created_at).total_seconds() / 86400, 1.0)
            if author.tweet_count / days >= 150:
                signs.append(f"{author.tweet_count / days:.0f} posts a day")
                weight += 1
        return SpamVerdict(weight >= 2, tuple(signs))
