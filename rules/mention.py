"""The one model of a post, whatever source it came from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


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
    followers: int = 0
    following: int = 0
    tweet_count: int = 0
    verified: bool = False
    verified_type: str | None = None
    created_at: datetime | None = None


class Metrics(BaseModel):
    model_config = ConfigDict(frozen=True)

    reposts: int = 0
    replies: int = 0
    likes: int = 0
    quotes: int = 0
    impressions: int = 0


class Reference(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: RefType
    id: str


class Mention(BaseModel):
    """A post to or about the brand, normalised. `created_at` is always timezone-aware."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    created_at: datetime
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
