"""The one model of a post, whatever source it came from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# What a post can plausibly carry. Beyond these, arithmetic on the value fails far from the door
# (a year 9999 plus a response target, a count of 10**400 as a float), so they are refused there.
FIRST_YEAR = 2006  # X's first post
LAST_YEAR = 2199  # far enough ahead for any clock, far enough from datetime's year 9999
MAX_COUNT = 10**12  # followers, likes, views: X's largest are below 10**11


def _plausible_time(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"year {value.year} is out of range ({FIRST_YEAR} to {LAST_YEAR})")
    return value


Time = Annotated[datetime, AfterValidator(_plausible_time)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class Source(StrEnum):
    X_STREAM = "x_stream"
    X_POLL = "x_poll"
    WEBHOOK = "webhook"
    REPLAY = "replay"


class RefType(StrEnum):
    RETWEETED = "retweeted"
    QUOTED = "quoted"
    REPLIED_TO = "replied_to"


class Author(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    username: str = ""
    name: str = ""
    followers: Count = 0
    following: Count = 0
    tweet_count: Count = 0
    verified: bool = False
    verified_type: str | None = None
    created_at: Time | None = None


class Metrics(BaseModel):
    model_config = ConfigDict(frozen=True)

    reposts: Count = 0
    replies: Count = 0
    likes: Count = 0
    quotes: Count = 0
    impressions: Count = 0


class Reference(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: RefType
    id: str


class Mention(BaseModel):
    """A post to or about the brand, normalised. `created_at` is always timezone-aware."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    created_at: Time
    author: Author
    source: Source = Source.REPLAY
    lang: str | None = None
    metrics: Metrics = Field(default_factory=Metrics)
    conversation_id: str | None = None
    in_reply_to_user_id: str | None = None
    references: tuple[Reference, ...] = ()
    mentioned: tuple[str, ...] = ()  # usernames from entities.mentions, lower case, no "@"
    urls: tuple[str, ...] = ()
    edit_history_ids: tuple[str, ...] = ()

    def is_retweet(self) -> bool:
        return any(r.type is RefType.RETWEETED for r in self.references)

    @property
    def url(self) -> str:
        handle = self.author.username or "i"
        return f"https://x.com/{handle}/status/{self.id}"
