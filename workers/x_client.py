"""The X adapter: tweepy behind Flare's own interface, typed errors, any API host."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import redis
import requests
import tweepy

from flare import keys
from flare.settings import XSettings
from rules.mention import Mention, Source
from rules.normalize import PayloadError, from_x_tweet
from workers.spend import Spend

log = logging.getLogger(__name__)

TWEEPY_HOST = "https://api.twitter.com"
"""The host tweepy writes into every URL; `XSession` sends those requests to the configured one."""

# What triage needs of a post and its author (TECH-NOTES C, "Fields for triage").
TWEET_FIELDS = [
    "created_at",
    "author_id",
    "public_metrics",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "entities",
    "lang",
    "edit_history_tweet_ids",
]
EXPANSIONS = ["author_id"]
USER_FIELDS = ["username", "name", "public_metrics", "verified", "verified_type", "created_at"]

SENT_TTL = 30 * 24 * 3600  # how long a reply's idempotency hint remembers the posted id
PENDING_TTL = 15 * 60  # an unknown outcome (X unreachable mid-send) blocks a resend this long

Unreadable = Callable[[bytes, str, str], None]
"""Called with (raw X message, where, error) for a post that cannot become a mention."""


class XError(RuntimeError):
    """X refused or failed a call; `status` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class XRateLimited(XError):
    """HTTP 429: wait until `reset_at` (from x-rate-limit-reset) before calling again."""

    def __init__(self, endpoint: str, reset_at: datetime | None) -> None:
        when = reset_at.isoformat() if reset_at else "unknown"
        super().__init__(f"X rate limit on {endpoint}, resets at {when}", 429)
        self.reset_at = reset_at


class XForbidden(XError):
    """HTTP 401/403: X will not do this (e.g. a reply to a post that did not mention the brand)."""

    def __init__(self, reason: str, status: int = 403) -> None:
        super().__init__(f"X refused: {reason}", status)
        self.reason = reason


class XUnavailable(XError):
    """X could not be reached or answered 5xx; the call may be tried again later."""


@dataclass(frozen=True)
class Account:
    """The X account Flare's tokens act as."""

    id: str
    username: str
    access: str | None
    """X's x-access-level for user context: read, read-write or read-write-directmessages;
    None for a bearer token (app-only)."""

    @property
    def may_reply(self) -> bool:
        return self.access is not None and "write" in self.access

    @property
    def may_dm(self) -> bool:
        return self.access is not None and "directmessages" in self.access


@dataclass(frozen=True)
class RateLimit:
    limit: int | None
    remaining: int | None
    reset_at: datetime | None


def rate_limit_from(headers: Mapping[str, str]) -> RateLimit:
    """X's x-rate-limit-* headers (any missing or garbled one is None)."""

    def number(name: str) -> int | None:
        try:
            return int(headers[name])
        except (KeyError, TypeError, ValueError):
            return None

    reset = number("x-rate-limit-reset")
    return RateLimit(
        number("x-rate-limit-limit"),
        number("x-rate-limit-remaining"),
        datetime.fromtimestamp(reset, UTC) if reset is not None else None,
    )


def rewrite_host(url: str, base_url: str) -> str:
    """tweepy's hard-coded host replaced by the configured base URL (path and query kept)."""
    if url.startswith(TWEEPY_HOST):
        return base_url.rstrip("/") + url[len(TWEEPY_HOST) :]
    return url


class XSession(requests.Session):
    """A requests session that sends tweepy's api.twitter.com URLs to `base_url`.

    The host is rewritten before the request is prepared, so OAuth 1.0a signs the URL that is
    really sent. `timeout` applies when tweepy gives none (REST calls); `read_timeout` replaces
    tweepy's own (the stream's 21 s keep-alive timeout).
    """

    def __init__(
        self, base_url: str, timeout: float | None = None, read_timeout: float | None = None
    ) -> None:
        super().__init__()
        self.base_url = base_url
        self.default_timeout = timeout
        self.read_timeout = read_timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if isinstance(url, bytes):
            url = url.decode()
        if self.read_timeout is not None:
            kwargs["timeout"] = (min(10.0, self.read_timeout), self.read_timeout)
        elif kwargs.get("timeout") is None and self.default_timeout is not None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, rewrite_host(url, self.base_url), *args, **kwargs)


class _TweepyClient(tweepy.Client):
    """tweepy's REST client on an `XSession`, answering raw responses (headers included)."""

    def __init__(self, x: XSettings) -> None:
        def secret(value: Any) -> str | None:
            return value.get_secret_value() if value is not None else None

        super().__init__(
            bearer_token=secret(x.bearer_token),
            consumer_key=secret(x.consumer_key),
            consumer_secret=secret(x.consumer_secret),
            access_token=secret(x.access_token),
            access_token_secret=secret(x.access_token_secret),
            return_type=requests.Response,
            wait_on_rate_limit=False,
        )
        self.session = XSession(x.api_url, timeout=x.request_timeout)


def typed_error(exc: Exception, endpoint: str) -> XError:
    """A tweepy or requests failure as one of Flare's X errors."""
    if isinstance(exc, tweepy.TooManyRequests):
        reset = rate_limit_from(exc.response.headers).reset_at
        return XRateLimited(endpoint, reset)
    if isinstance(exc, tweepy.Forbidden | tweepy.Unauthorized):
        detail = _detail(exc.response) or str(exc)
        return XForbidden(detail, exc.response.status_code)
    if isinstance(exc, tweepy.TwitterServerError):
        return XUnavailable(
            f"X {endpoint}: HTTP {exc.response.status_code}", exc.response.status_code
        )
    if isinstance(exc, tweepy.HTTPException):
        status = exc.response.status_code
        return XError(f"X {endpoint}: HTTP {status}: {_detail(exc.response) or exc}", status)
    if isinstance(exc, requests.RequestException):
        return XUnavailable(f"X {endpoint}: {type(exc).__name__}: {exc}")
    return XError(f"X {endpoint}: {exc}")


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, Mapping):
        return str(body.get("detail") or body.get("title") or "")
    return ""


class XClient:
    """Every REST call Flare makes to X: mentions, search, replies, posts and DMs.

    `client` (Redis) keeps reply idempotency hints; `spend` counts calls; `on_unreadable` gets
    each post of a page that cannot become a mention (the rest of the page goes on).
    """

    def __init__(
        self,
        x: XSettings,
        *,
        client: redis.Redis | None = None,
        spend: Spend | None = None,
        on_unreadable: Unreadable | None = None,
        page_size: int = 100,
    ) -> None:
        self.x = x
        self.tweepy = _TweepyClient(x)
        self.redis = client
        self.spend = spend
        self.on_unreadable = on_unreadable
        self.page_size = page_size
        self.rate_limits: dict[str, RateLimit] = {}

    # plumbing -------------------------------------------------------------
    def _call(self, endpoint: str, call: Callable[[], requests.Response]) -> dict[str, Any]:
        try:
            response = call()
        except (tweepy.TweepyException, requests.RequestException) as exc:
            response_of = getattr(exc, "response", None)
            if response_of is not None and hasattr(response_of, "headers"):
                self.rate_limits[endpoint] = rate_limit_from(response_of.headers)
            if self.spend:
                self.spend.record(endpoint, calls=1)
            raise typed_error(exc, endpoint) from exc
        self.rate_limits[endpoint] = rate_limit_from(response.headers)
        try:
            body = response.json()
        except ValueError as exc:
            raise XUnavailable(f"X {endpoint}: answer is not JSON") from exc
        if not isinstance(body, dict):
            raise XUnavailable(f"X {endpoint}: answer is not a JSON object")
        return body

    def _user_context(self, what: str) -> None:
        x = self.x
        if not (x.consumer_key and x.consumer_secret and x.access_token and x.access_token_secret):
            raise XError(
                f"{what} needs user context: set FLARE_X__CONSUMER_KEY, FLARE_X__CONSUMER_SECRET, "
                "FLARE_X__ACCESS_TOKEN and FLARE_X__ACCESS_TOKEN_SECRET"
            )

    def _brand_user(self) -> str:
        if not self.x.user_id:
            raise XError("FLARE_X__USER_ID (the brand account's numeric id) is not set")
        return self.x.user_id

    def mentions_in(self, body: Mapping[str, Any], source: Source, where: str) -> list[Mention]:
        """The posts of one X v2 answer as mentions; an unreadable post is handed aside alone."""
        data = body.get("data") or []
        tweets = data if isinstance(data, list) else [data]
        users_raw = (body.get("includes") or {}).get("users") or []
        users = {str(u.get("id")): u for u in users_raw if isinstance(u, Mapping)}
        out = []
        for tweet in tweets:
            try:
                out.append(from_x_tweet(tweet, users, source))
            except PayloadError as exc:
                if self.on_unreadable is None:
                    raise
                author = users.get(str(tweet.get("author_id"))) if isinstance(tweet, dict) else None
                alone = {"data": tweet, "includes": {"users": [author] if author else []}}
                self.on_unreadable(json.dumps(alone).encode(), where, str(exc))
        return out

    # reads ----------------------------------------------------------------
    def mentions_since(
        self, since_id: str | None, max_pages: int | None = None
    ) -> tuple[list[Mention], str | None]:
        """The brand's mentions newer than `since_id`, every page (X keeps the latest 800).

        Returns them newest first with the id to poll from next time (None: nothing new).
        """
        user_id = self._brand_user()
        mentions: list[Mention] = []
        newest: str | None = None
        token: str | None = None
        pages = 0
        while True:
            params = {
                "since_id": since_id,
                "pagination_token": token,
                "max_results": self.page_size,
                "tweet_fields": TWEET_FIELDS,
                "expansions": EXPANSIONS,
                "user_fields": USER_FIELDS,
            }
            body = self._call(
                "mentions", partial(self.tweepy.get_users_mentions, user_id, **params)
            )
            page = self.mentions_in(body, Source.X_POLL, f"GET /2/users/{user_id}/mentions")
            if self.spend:
                self.spend.record("mentions", calls=1, posts=_count(body.get("data")))
            mentions += page
            meta = body.get("meta") or {}
            newest = newest or _newest(meta, body.get("data"))
            token = meta.get("next_token")
            pages += 1
            if not token or (max_pages is not None and pages >= max_pages):
                return mentions, newest

    def has_brand_replied(self, conversation_id: str) -> bool:
        """Whether the brand account has posted in this conversation (recent search: 7 days)."""
        user_id = self._brand_user()
        body = self._call(
            "search_recent",
            lambda: self.tweepy.search_recent_tweets(
                f"conversation_id:{conversation_id} from:{user_id}", max_results=10
            ),
        )
        found = _count(body.get("data"))
        if self.spend:
            self.spend.record("search_recent", calls=1, posts=found)
        return found > 0

    def account(self) -> Account:
        """Who the tokens act as, and what they may do: with user context (the four OAuth 1.0a
        settings) the account itself and X's x-access-level; with a bearer token alone, the
        brand account (FLARE_X__USER_ID) as the app reads it, access unknown."""
        headers: dict[str, str] = {}

        def keep(response: requests.Response) -> requests.Response:
            headers.update(response.headers)
            return response

        x = self.x
        if x.consumer_key and x.consumer_secret and x.access_token and x.access_token_secret:
            body = self._call("users_me", lambda: keep(self.tweepy.get_me(user_auth=True)))
        else:
            user_id = self._brand_user()
            body = self._call("users", lambda: keep(self.tweepy.get_user(id=user_id)))
        data = body.get("data")
        if not isinstance(data, dict):
            raise XError(f"X knows no user {x.user_id} (FLARE_X__USER_ID)", 404)
        access = {k.lower(): v for k, v in headers.items()}.get("x-access-level")
        return Account(str(data.get("id")), str(data.get("username")), access)

    # writes ---------------------------------------------------------------
    def reply(self, text: str, in_reply_to_id: str, hint: str | None = None) -> str:
        """Post `text` as a reply; returns the new post's id.

        `hint` (e.g. "reply:<case id>") makes it idempotent: a second call with the same hint
        returns the first post's id without posting again.
        """
        self._user_context("a reply")
        return self._send(
            "create_post",
            hint,
            lambda: self.tweepy.create_tweet(
                text=text, in_reply_to_tweet_id=in_reply_to_id, user_auth=True
            ),
            "id",
        )

    def post(self, text: str, hint: str | None = None) -> str:
        """Post `text` as a post of the brand's own, not a reply (a crisis statement); returns
        its id. Idempotent by `hint`, as `reply` is."""
        self._user_context("a post")
        return self._send(
            "create_post",
            hint,
            lambda: self.tweepy.create_tweet(text=text, user_auth=True),
            "id",
        )

    def send_dm(self, participant_id: str, text: str, hint: str | None = None) -> str:
        """Send a direct message to one user; returns the DM event id (idempotent by `hint`)."""
        self._user_context("a DM")
        return self._send(
            "create_dm",
            hint,
            lambda: self.tweepy.create_direct_message(
                participant_id=participant_id, text=text, user_auth=True
            ),
            "dm_event_id",
        )

    def _send(
        self, endpoint: str, hint: str | None, call: Callable[[], requests.Response], field: str
    ) -> str:
        marks = self.redis if hint else None  # no hint or no Redis: not idempotent
        key = keys.x_reply(hint or "")
        if marks is not None and not marks.set(key, "pending", nx=True, ex=PENDING_TTL):
            earlier = marks.get(key)
            if earlier and earlier != b"pending":
                return earlier.decode() if isinstance(earlier, bytes) else str(earlier)
            raise XError(f"a send with hint {hint!r} is under way or its outcome is unknown")
        try:
            body = self._call(endpoint, call)
            sent = str((body.get("data") or {})[field])
        except XUnavailable:
            raise  # X may have posted it: the pending mark stays, so no blind resend
        except (XError, KeyError, TypeError) as exc:
            if marks is not None:
                marks.delete(key)
            if isinstance(exc, XError):
                raise
            raise XError(f"X {endpoint}: answer has no data.{field}") from exc
        if self.spend:
            self.spend.record(endpoint, calls=1)
        if marks is not None:
            marks.set(key, sent, ex=SENT_TTL)
        return sent


def _count(data: Any) -> int:
    if isinstance(data, list):
        return len(data)
    return 1 if isinstance(data, Mapping) else 0


def _newest(meta: Mapping[str, Any], data: Any) -> str | None:
    if meta.get("newest_id"):
        return str(meta["newest_id"])
    ids = [t.get("id") for t in data or () if isinstance(t, Mapping)]
    numeric = [int(i) for i in ids if isinstance(i, str) and i.isdigit()]
    return str(max(numeric)) if numeric else None
