"""Where a post comes from and whom it calls on: the brand's own posts, retweets, summons."""

from __future__ import annotations

import re
from collections.abc import Collection

from rules.mention import Mention

_RT = re.compile(r"^RT @\w+:", re.IGNORECASE)
_AT = re.compile(r"(?<![\w@])@(\w{1,15})")
_STATUS = re.compile(r"(?:x|twitter)\.com/(\w{1,15})/status/", re.IGNORECASE)


def is_own(mention: Mention, brand: Collection[str]) -> bool:
    """Posted by one of the brand's own handles."""
    return mention.author.username.lower() in brand


def is_retweet(mention: Mention) -> bool:
    """A plain repost (no words of its own): nothing to answer."""
    return mention.is_retweet() or _RT.match(mention.text) is not None


def summoned(mention: Mention, brand: Collection[str]) -> bool:
    """The post @mentions a brand handle or quotes one of its posts.

    X lets self-serve apps reply only to such posts; for others the card offers a DM or a
    statement.
    """
    if any(handle in brand for handle in mention.mentioned):
        return True
    if any(m.group(1).lower() in brand for m in _AT.finditer(mention.text)):
        return True
    return any(m.group(1).lower() in brand for url in mention.urls for m in _STATUS.finditer(url))
