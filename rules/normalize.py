"""X API v2 payloads and Flare's own mention form turned into `Mention`s, or a precise error."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from rules.mention import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_COUNT,
    Author,
    Mention,
    Metrics,
    Reference,
    RefType,
    Source,
)

# An id names a case, a Redis key and a button's reference: letters, digits, "-", "_" and "."
# only, so no id can read as two ("v-pipe|x") or as another key ("42:follow-ups").
ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
ID_RULE = "an id is 1 to 64 letters, digits, '-', '_' or '.'"


class PayloadError(ValueError):
    """A payload that cannot become a mention; `field` names the part that is wrong."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message


def parse_time(value: Any, field: str = "created_at") -> datetime:
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, str) and value:
        try:
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise PayloadError(f"not an ISO-8601 time: {value!r}", field) from exc
    else:
        raise PayloadError("missing or not a string", field)
    if not FIRST_YEAR <= stamp.year <= LAST_YEAR:
        raise PayloadError(
            f"year {stamp.year} is out of range ({FIRST_YEAR} to {LAST_YEAR})", field
        )
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _int(obj: Mapping[str, Any], key: str, field: str) -> int:
    value = obj.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"expected an integer, got {type(value).__name__}", f"{field}.{key}")
    if not 0 <= value <= MAX_COUNT:
        raise PayloadError(f"out of range (0 to {MAX_COUNT})", f"{field}.{key}")
    return value


def check_ids(mention: Mention, names: Mapping[str, str]) -> Mention:
    """The mention, if every id it carries is one Flare can key and reference; else a
    `PayloadError` naming the field as the payload called it (`names`: ours → theirs)."""
    single = {
        "id": mention.id,
        "author.id": mention.author.id,
        "conversation_id": mention.conversation_id,
        "in_reply_to_user_id": mention.in_reply_to_user_id,
    }
    listed = {
        "references": [r.id for r in mention.references],
        "edit_history_ids": list(mention.edit_history_ids),
    }
    for name, value in single.items():
        if value is not None and not ID.fullmatch(value):
            raise PayloadError(f"{ID_RULE}, got {value[:80]!r}", names.get(name, name))
    for name, values in listed.items():
        for value in values:
            if not ID.fullmatch(value):
                raise PayloadError(f"{ID_RULE}, got {value[:80]!r}", names.get(name, name))
    return mention


def _author(user: Mapping[str, Any] | None, author_id: str) -> Author:
    if not user:
        return Author(id=author_id)
    pm = user.get("public_metrics") or {}
    if not isinstance(pm, Mapping):
        raise PayloadError("expected an object", "includes.users.public_metrics")
    created = user.get("created_at")
    return Author(
        id=str(user.get("id", author_id)),
        username=str(user.get("username") or ""),
        name=str(user.get("name") or ""),
        followers=_int(pm, "followers_count", "user.public_metrics"),
        following=_int(pm, "following_count", "user.public_metrics"),
        tweet_count=_int(pm, "tweet_count", "user.public_metrics"),
        verified=bool(user.get("verified", False)),
        verified_type=user.get("verified_type"),
        created_at=parse_time(created, "user.created_at") if created else None,
    )


# Mention fields whose X v2 name differs, for naming the wrong field in an error.
_X_NAMES = {
    "edit_history_ids": "edit_history_tweet_ids",
    "mentioned": "entities.mentions",
    "urls": "entities.urls",
    "references": "referenced_tweets",
}


def _objects(value: Any, field: str) -> list[Mapping[str, Any]]:
    """An optional X array of objects: absent is empty, anything but a list of objects is wrong."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise PayloadError("expected an array of objects", field)
    return value


_X_ID_NAMES = {
    "id": "data.id",
    "author.id": "data.author_id",
    "conversation_id": "data.conversation_id",
    "in_reply_to_user_id": "data.in_reply_to_user_id",
    "references": "data.referenced_tweets",
    "edit_history_ids": "data.edit_history_tweet_ids",
}


def from_x_tweet(
    tweet: Mapping[str, Any],
    users: Mapping[str, Mapping[str, Any]],
    source: Source,
) -> Mention:
    """One tweet object (`data` or an element of it) with the users of `includes.users` by id.

    A value of the wrong type anywhere becomes a `PayloadError` naming the X field.
    """
    try:
        return check_ids(_from_x_tweet(tweet, users, source), _X_ID_NAMES)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"])
        name = _X_NAMES.get(name, name)
        where = "includes.users" if exc.title == "Author" else "data"
        raise PayloadError(first["msg"], f"{where}.{name}" if name else where) from exc


def _from_x_tweet(
    tweet: Mapping[str, Any],
    users: Mapping[str, Mapping[str, Any]],
    source: Source,
) -> Mention:
    if not isinstance(tweet, Mapping):
        raise PayloadError("expected a tweet object", "data")
    tid = tweet.get("id")
    if not isinstance(tid, str | int) or isinstance(tid, bool) or not str(tid).strip():
        raise PayloadError("missing or not a string", "data.id")
    text = tweet.get("text")
    if not isinstance(text, str):
        raise PayloadError("missing or not a string", "data.text")
    if "created_at" not in tweet:
        raise PayloadError("missing (request tweet.fields=created_at)", "data.created_at")
    author_id = str(tweet.get("author_id") or "")
    if not author_id:
        raise PayloadError("missing (request expansions=author_id)", "data.author_id")
    pm = tweet.get("public_metrics") or {}
    if not isinstance(pm, Mapping):
        raise PayloadError("expected an object", "data.public_metrics")
    refs = []
    for ref in _objects(tweet.get("referenced_tweets"), "data.referenced_tweets"):
        try:
            refs.append(Reference(type=RefType(ref["type"]), id=str(ref["id"])))
        except (KeyError, ValueError, TypeError) as exc:
            raise PayloadError(f"bad reference {ref!r}", "data.referenced_tweets") from exc
    entities = tweet.get("entities") or {}
    if not isinstance(entities, Mapping):
        raise PayloadError("expected an object", "data.entities")
    mentioned = tuple(
        str(m.get("username", "")).lower()
        for m in _objects(entities.get("mentions"), "data.entities.mentions")
        if m.get("username")
    )
    urls = tuple(
        str(u.get("expanded_url") or u.get("url"))
        for u in _objects(entities.get("urls"), "data.entities.urls")
        if u.get("url")
    )
    edits = tweet.get("edit_history_tweet_ids") or []
    if not isinstance(edits, list):
        raise PayloadError("expected an array of ids", "data.edit_history_tweet_ids")
    return Mention(
        id=str(tid),
        text=text,
        created_at=parse_time(tweet.get("created_at"), "data.created_at"),
        author=_author(users.get(author_id), author_id),
        source=source,
        lang=tweet.get("lang"),
        metrics=Metrics(
            reposts=_int(pm, "retweet_count", "data.public_metrics"),
            replies=_int(pm, "reply_count", "data.public_metrics"),
            likes=_int(pm, "like_count", "data.public_metrics"),
            quotes=_int(pm, "quote_count", "data.public_metrics"),
            impressions=_int(pm, "impression_count", "data.public_metrics"),
        ),
        conversation_id=tweet.get("conversation_id"),
        in_reply_to_user_id=tweet.get("in_reply_to_user_id"),
        references=tuple(refs),
        mentioned=mentioned,
        urls=urls,
        edit_history_ids=tuple(str(i) for i in edits),
    )


def from_x_message(payload: Mapping[str, Any], source: Source) -> list[Mention]:
    """An X v2 message: `data` (one tweet or a list) with `includes.users`."""
    data = payload.get("data")
    includes = payload.get("includes") or {}
    if not isinstance(includes, Mapping):
        raise PayloadError("expected an object", "includes")
    listed = includes.get("users") or []
    if not isinstance(listed, list):
        raise PayloadError("expected a list of user objects", "includes.users")
    users = {str(u.get("id")): u for u in listed if isinstance(u, Mapping)}
    tweets = [t for t in (data if isinstance(data, list) else [data]) if isinstance(t, Mapping)]
    if not tweets or len(tweets) != (len(data) if isinstance(data, list) else 1):
        raise PayloadError("expected a post object or a list of them", "data")
    return [from_x_tweet(t, users, source) for t in tweets]


def from_flare(payload: Mapping[str, Any], source: Source) -> Mention:
    """Flare's own form: the `Mention` model as JSON (source optional)."""
    try:
        mention = Mention.model_validate({"source": source.value, **payload})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise PayloadError(first["msg"], field) from exc
    if mention.created_at.tzinfo is None:
        mention = mention.model_copy(update={"created_at": mention.created_at.replace(tzinfo=UTC)})
    return check_ids(mention, {})


def is_x_v1(payload: Mapping[str, Any]) -> bool:
    """Whether an object is an X API v1.1 answer or status (retired, not read by Flare)."""
    if isinstance(payload.get("statuses"), list):
        return True
    return "id_str" in payload and isinstance(payload.get("user"), Mapping)


def mentions_from(payload: Any, source: Source) -> list[Mention]:
    """Any accepted payload: an X v2 message, a Flare mention, or a list of either."""
    if isinstance(payload, list):
        return [m for item in payload for m in mentions_from(item, source)]
    if not isinstance(payload, Mapping):
        raise PayloadError(f"expected a JSON object, got {type(payload).__name__}")
    if "data" in payload:
        return from_x_message(payload, source)
    if "text" in payload and "author" in payload:
        return [from_flare(payload, source)]
    if "errors" in payload:
        raise PayloadError("an X error message with no post", "errors")
    if is_x_v1(payload):
        raise PayloadError(
            "X API v1.1 format (statuses, id_str, user); Flare reads X API v2 (data, includes)"
        )
    raise PayloadError("neither an X v2 message (data) nor a Flare mention (id, text, author)")


def read_payload(raw: bytes, source: Source) -> tuple[list[Mention], str | None]:
    """The mentions in a raw payload, or the reason there are none."""
    try:
        return mentions_from(json.loads(raw), source), None
    except UnicodeDecodeError as exc:
        return [], f"not UTF-8: {exc.reason}"
    except json.JSONDecodeError as exc:
        return [], f"not JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return [], "not JSON: nested too deeply"
    except PayloadError as exc:
        return [], str(exc)
    except Exception as exc:  # a shape the reader did not foresee: keep it, don't lose the rest
        return [], f"unreadable: {type(exc).__name__}: {exc}"
