"""Every post in the real X v2 samples normalises, or fails naming the field X left out.

The samples (../shared/data/x-api-samples) were mostly recorded without `tweet.fields` or
`expansions`, so many posts lack `created_at` and `author_id`. Flare decides: a post without
them is unreadable (a dead letter naming the field), because triage needs the time (late or
not) and the author; the poller and the stream always request them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rules.mention import Source
from rules.normalize import PayloadError, from_x_tweet, mentions_from

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "x-api-samples"


def _messages() -> list[tuple[str, dict[str, Any]]]:
    """(name, X v2 message) for every sample JSON whose `data` holds posts (not DMs, not v1.1)."""
    if not SAMPLES.is_dir():
        return []
    out = []
    for path in sorted(SAMPLES.rglob("*.json")):
        content = json.loads(path.read_text(encoding="utf-8"))
        if path.parent.name == "decoded":
            content = content.get("body")
        if path.name == "tweet.json" and path.parent.name == "models":
            content = {"data": content}  # a bare post object
        if not isinstance(content, dict):
            continue
        data = content.get("data")
        posts = data if isinstance(data, list) else [data]
        if posts and all(
            isinstance(p, dict) and "id" in p and "text" in p and "event_type" not in p
            for p in posts
        ):
            out.append((str(path.relative_to(SAMPLES)), content))
    return out


MESSAGES = _messages()
pytestmark = pytest.mark.skipif(not MESSAGES, reason=f"no X samples under {SAMPLES}")


def _posts(message: dict[str, Any]) -> list[dict[str, Any]]:
    data = message["data"]
    return data if isinstance(data, list) else [data]


def _users(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["id"]: u for u in (message.get("includes") or {}).get("users") or ()}


@pytest.mark.parametrize(("name", "message"), MESSAGES, ids=[n for n, _ in MESSAGES])
def test_each_sample_post_normalises_or_names_the_missing_field(
    name: str, message: dict[str, Any]
) -> None:
    users = _users(message)
    for post in _posts(message):
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


def test_posts_with_emoji_and_non_latin_text_keep_every_character() -> None:
    texts = [
        from_x_tweet(p, _users(m), Source.REPLAY).text
        for _, m in MESSAGES
        for p in _posts(m)
        if "created_at" in p and "author_id" in p
    ]

    assert any(any(ord(ch) > 0xFFFF for ch in t) for t in texts)  # astral-plane emoji


def test_authors_carry_followers_and_verified_as_x_sends_them() -> None:
    pairs = [
        (from_x_tweet(p, _users(m), Source.REPLAY).author, _users(m)[p["author_id"]])
        for _, m in MESSAGES
        for p in _posts(m)
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
    complete = [
        (n, m)
        for n, m in MESSAGES
        if all("created_at" in p and "author_id" in p for p in _posts(m))
    ]

    assert complete
    for name, message in complete:
        mentions = mentions_from(message, Source.X_POLL)
        assert [m.id for m in mentions] == [str(p["id"]) for p in _posts(message)], name
