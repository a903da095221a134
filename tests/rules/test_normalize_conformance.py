"""Every post in the real X v2 samples normalises, or fails naming the field X left out.

The samples (../shared/data/x-api-samples) were mostly recorded without `tweet.fields` or
`expansions`, so many posts lack `created_at` and `author_id`. Flare decides: a post without
them is unreadable (a dead letter naming the field), because triage needs the time (late or
not) and the author; the poller and the stream always request them.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from rules.mention import Source
from rules.normalize import PayloadError, from_x_tweet, is_x_v1, mentions_from

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "x-api-samples"


def _cassette_body(body: Any) -> Any:
    """A response body recorded by VCR.py (gzip'd bytes, or plain text) as JSON; None if empty."""
    raw = body.get("string") if isinstance(body, dict) else body
    if isinstance(raw, str):
        raw = raw.encode()
    if not raw:
        return None
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return json.loads(raw)


def _bodies() -> Iterator[tuple[str, Any]]:
    """(name, JSON body) for every sample file, and for each response recorded in a cassette
    (`.yaml` or `.json`): `<file>#<n>` for its n-th interaction."""
    for path in sorted(SAMPLES.rglob("*")):
        if path.suffix not in (".json", ".yaml"):
            continue
        name = str(path.relative_to(SAMPLES))
        text = path.read_text(encoding="utf-8")
        content = yaml.safe_load(text) if path.suffix == ".yaml" else json.loads(text)
        if isinstance(content, dict) and "interactions" in content:
            for n, interaction in enumerate(content["interactions"]):
                body = _cassette_body(interaction["response"]["body"])
                if body is not None:
                    yield f"{name}#{n}", body
        elif path.parent.name == "decoded":
            yield name, content.get("body")
        elif path.name == "tweet.json" and path.parent.name == "models":
            yield name, {"data": content}  # a bare post object
        elif path.name == "expansions.json" and path.parent.name == "models":
            yield name, {"includes": content}  # a bare includes object
        else:
            yield name, content


def _is_post(value: Any) -> bool:
    return (
        isinstance(value, dict) and "id" in value and "text" in value and "event_type" not in value
    )


def _tweets(body: Any) -> list[dict[str, Any]]:
    """The posts an X v2 body carries: in `data`, and expanded in `includes.tweets`."""
    if not isinstance(body, dict):
        return []
    data = body.get("data")
    posts = data if isinstance(data, list) else [data]
    main = posts if posts and all(_is_post(p) for p in posts) else []
    included = (body.get("includes") or {}).get("tweets") or []
    return main + [t for t in included if _is_post(t)]


def _is_v1(body: Any) -> bool:
    if isinstance(body, list):
        return bool(body) and all(isinstance(s, dict) and is_x_v1(s) for s in body)
    return isinstance(body, dict) and is_x_v1(body)


BODIES = list(_bodies()) if SAMPLES.is_dir() else []
MESSAGES = [(name, body) for name, body in BODIES if _tweets(body)]
V1 = [(name, body) for name, body in BODIES if _is_v1(body)]
pytestmark = pytest.mark.skipif(
    not BODIES, reason=f"the X API samples are not there ({SAMPLES}): nothing to conform to"
)


def _users(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["id"]: u for u in (message.get("includes") or {}).get("users") or ()}


@pytest.mark.parametrize(("name", "message"), MESSAGES, ids=[n for n, _ in MESSAGES])
def test_each_sample_post_normalises_or_names_the_missing_field(
    name: str, message: dict[str, Any]
) -> None:
    users = _users(message)
    for post in _tweets(message):
        if "created_at" not in post:
            with pytest.raises(PayloadError) as caught:
                from_x_tweet(post, users, Source.REPLAY)
            assert caught.value.field == "data.created_at"
            continue
        if "author_id" not in post:
            with pytest.raises(PayloadError) as caught:
                from_x_tweet(post, users, Source.REPLAY)
            assert caught.value.field == "data.author_id"
            continue

        mention = from_x_tweet(post, users, Source.REPLAY)

        assert mention.id == str(post["id"])
        assert mention.text == post["text"]
        assert mention.created_at.tzinfo is not None
        assert mention.author.id == post["author_id"]
        if post["author_id"] in users:
            assert mention.author.username == users[post["author_id"]]["username"]
        if "public_metrics" in post:
            metrics = post["public_metrics"]
            assert mention.metrics.likes == metrics["like_count"]
            assert mention.metrics.reposts == metrics["retweet_count"]
        kinds = {r["type"] for r in post.get("referenced_tweets") or ()}
        assert {r.type.value for r in mention.references} == kinds
        edits = post.get("edit_history_tweet_ids") or []
        assert list(mention.edit_history_ids) == edits
        named = [m["username"].lower() for m in (post.get("entities") or {}).get("mentions") or ()]
        assert list(mention.mentioned) == named
        assert mention.lang == post.get("lang")
        assert mention.conversation_id == post.get("conversation_id")


def test_posts_with_emoji_and_non_latin_text_keep_every_character() -> None:
    texts = [
        from_x_tweet(p, _users(m), Source.REPLAY).text
        for _, m in MESSAGES
        for p in _tweets(m)
        if "created_at" in p and "author_id" in p
    ]

    assert any(any(ord(ch) > 0xFFFF for ch in t) for t in texts)  # astral-plane emoji


def test_authors_carry_followers_and_verified_as_x_sends_them() -> None:
    pairs = [
        (from_x_tweet(p, _users(m), Source.REPLAY).author, _users(m)[p["author_id"]])
        for _, m in MESSAGES
        for p in _tweets(m)
        if "created_at" in p and p.get("author_id") in _users(m)
    ]

    assert pairs
    for author, user in pairs:
        assert author.followers == (user.get("public_metrics") or {}).get("followers_count", 0)
        assert author.verified == user.get("verified", False)
        assert author.name == user.get("name", "")


def test_a_full_user_object_gives_followers_and_verified() -> None:
    user = json.loads((SAMPLES / "python-twitter-testdata/models/user.json").read_text())
    post = {
        "id": "1",
        "text": "@acme hi",
        "created_at": "2026-11-20T09:00:00Z",
        "author_id": user["id"],
    }

    author = from_x_tweet(post, {user["id"]: user}, Source.X_POLL).author

    assert author.followers == user["public_metrics"]["followers_count"] > 0
    assert author.verified == user["verified"]


def test_whole_messages_give_their_posts_in_order() -> None:
    def data(message: dict[str, Any]) -> list[dict[str, Any]]:
        found = message.get("data")
        return found if isinstance(found, list) else [found] if found else []

    complete = [
        (n, m)
        for n, m in MESSAGES
        if data(m) and all(_is_post(p) and "created_at" in p and "author_id" in p for p in data(m))
    ]

    assert complete
    for name, message in complete:
        mentions = mentions_from(message, Source.X_POLL)
        assert [m.id for m in mentions] == [str(p["id"]) for p in data(message)], name


def test_the_bodies_recorded_in_the_cassettes_are_read_like_their_decoded_copies() -> None:
    bodies = dict(BODIES)

    recorded = bodies["tweepy-cassettes/test_client_get_users_mentions.yaml#0"]

    assert recorded == bodies["tweepy-cassettes/decoded/test_client_get_users_mentions.0.json"]
    assert len(_tweets(recorded)) == 10
    from_cassettes = [n for n, _ in MESSAGES if ".yaml#" in n]
    assert len(from_cassettes) >= 10


def test_a_v1_1_sample_is_reported_as_not_v2_rather_than_crashing() -> None:
    assert V1, "the samples hold X API v1.1 search results (testsearchtweets.json)"
    for name, body in V1:
        with pytest.raises(PayloadError, match=r"v1\.1") as caught:
            mentions_from(body, Source.REPLAY)
        assert "X API v2" in str(caught.value), name
