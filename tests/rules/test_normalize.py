"""X v2 messages and Flare's own form become one Mention; what can't be read names its field."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from rules.mention import RefType, Source
from rules.normalize import PayloadError, mentions_from

POST: dict[str, Any] = {
    "id": "1860000000000000002",
    "text": "@acme @AcmeHelp 🚚 배송이 아직 안 왔어요 https://t.co/x1",
    "created_at": "2026-11-20T09:10:00.000Z",
    "author_id": "42",
    "conversation_id": "1860000000000000001",
    "in_reply_to_user_id": "9001",
    "lang": "ko",
    "public_metrics": {
        "retweet_count": 3,
        "reply_count": 1,
        "like_count": 4,
        "quote_count": 2,
        "impression_count": 310,
    },
    "referenced_tweets": [
        {"type": "replied_to", "id": "1860000000000000001"},
        {"type": "quoted", "id": "1850000000000000000"},
    ],
    "entities": {
        "mentions": [
            {"start": 0, "end": 5, "username": "acme", "id": "9001"},
            {"start": 6, "end": 16, "username": "AcmeHelp", "id": "9002"},
        ],
        "urls": [{"url": "https://t.co/x1", "expanded_url": "https://acme.example/track/1"}],
    },
    "edit_history_tweet_ids": ["1860000000000000002"],
}
USER: dict[str, Any] = {
    "id": "42",
    "username": "minji",
    "name": "민지",
    "verified": True,
    "verified_type": "blue",
    "public_metrics": {"followers_count": 15200, "following_count": 80, "tweet_count": 900},
    "created_at": "2014-05-01T00:00:00.000Z",
}


def message(post: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A filtered-stream line: the post (with changes; None removes a field) and its author."""
    data = copy.deepcopy(post or POST)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return {"data": data, "includes": {"users": [USER]}}


def test_a_full_x_post_keeps_every_field_triage_reads() -> None:
    [mention] = mentions_from(message(), Source.X_STREAM)

    assert mention.id == "1860000000000000002" and mention.source is Source.X_STREAM
    assert mention.text == POST["text"]  # emoji and Hangul kept as sent
    assert mention.created_at == datetime(2026, 11, 20, 9, 10, tzinfo=UTC)
    assert (mention.author.username, mention.author.name) == ("minji", "민지")
    assert (mention.author.followers, mention.author.verified) == (15200, True)
    assert mention.author.verified_type == "blue"
    assert (mention.metrics.reposts, mention.metrics.likes, mention.metrics.quotes) == (3, 4, 2)
    assert mention.metrics.impressions == 310
    assert mention.conversation_id == POST["conversation_id"]
    assert mention.in_reply_to_user_id == "9001"
    assert mention.lang == "ko"
    assert mention.mentioned == ("acme", "acmehelp")
    assert mention.urls == ("https://acme.example/track/1",)


def test_replies_quotes_and_retweets_are_told_apart() -> None:
    [reply_and_quote] = mentions_from(message(), Source.X_POLL)
    [retweet] = mentions_from(
        message(referenced_tweets=[{"type": "retweeted", "id": "1"}]), Source.X_POLL
    )

    assert [r.type for r in reply_and_quote.references] == [RefType.REPLIED_TO, RefType.QUOTED]
    assert reply_and_quote.references[1].id == "1850000000000000000"
    assert not reply_and_quote.is_retweet()
    assert retweet.is_retweet() and [r.type for r in retweet.references] == [RefType.RETWEETED]


def test_an_edit_carries_its_history_so_it_is_known_by_the_first_id() -> None:
    edited = message(id="1860000000000000009", text="@acme fixed: it came, thanks 🙏")
    edited["data"]["edit_history_tweet_ids"] = ["1860000000000000002", "1860000000000000009"]

    [mention] = mentions_from(edited, Source.X_STREAM)

    assert mention.id == "1860000000000000009"
    assert mention.edit_history_ids == ("1860000000000000002", "1860000000000000009")


def test_optional_fields_may_be_missing() -> None:
    bare = message(
        public_metrics=None,
        referenced_tweets=None,
        entities=None,
        lang=None,
        conversation_id=None,
        in_reply_to_user_id=None,
        edit_history_tweet_ids=None,
    )
    bare["includes"] = {"users": [{"id": "42", "username": "minji", "name": "M"}]}

    [mention] = mentions_from(bare, Source.X_POLL)

    assert mention.metrics.likes == 0 and mention.author.followers == 0
    assert not mention.author.verified
    assert mention.references == () and mention.mentioned == () and mention.lang is None


def test_an_author_x_did_not_expand_is_known_by_id_alone() -> None:
    lonely = message()
    del lonely["includes"]

    [mention] = mentions_from(lonely, Source.X_POLL)

    assert (mention.author.id, mention.author.username) == ("42", "")


def test_a_list_of_posts_in_data_gives_each_in_order() -> None:
    second = {**POST, "id": "1860000000000000003", "text": "@acme ¿dónde está mi pedido?"}
    answer = {"data": [POST, second], "includes": {"users": [USER]}, "meta": {"result_count": 2}}

    mentions = mentions_from(answer, Source.X_POLL)

    assert [m.id for m in mentions] == [POST["id"], second["id"]]
    assert mentions[1].text.endswith("pedido?")


def test_flares_own_form_is_the_same_model() -> None:
    own = {
        "id": "hook-1",
        "text": "@acme the app logs me out 😩",
        "created_at": "2026-11-20T09:00:00",
        "author": {"id": "u-1", "username": "dana", "followers": 120},
    }

    [mention] = mentions_from(own, Source.WEBHOOK)

    assert mention.source is Source.WEBHOOK
    assert mention.created_at.tzinfo is not None  # no zone means UTC
    assert mention.author.followers == 120


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (message(created_at=None), "data.created_at"),
        (message(author_id=None), "data.author_id"),
        (message(created_at="last tuesday"), "data.created_at"),
        (message(text=12), "data.text"),
        (message(public_metrics={"like_count": "many"}), "data.public_metrics.like_count"),
        (message(referenced_tweets=[{"type": "liked", "id": "1"}]), "data.referenced_tweets"),
        (message(entities={"mentions": "@acme"}), "data.entities.mentions"),
        (message(edit_history_tweet_ids="1"), "data.edit_history_tweet_ids"),
        ({"data": "hello"}, "data"),
        ({"errors": [{"title": "Operational Disconnect"}]}, "errors"),
    ],
)
def test_what_cannot_be_read_names_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        mentions_from(payload, Source.X_STREAM)

    assert caught.value.field == field


def test_an_x_v1_1_status_is_refused_as_not_v2() -> None:
    status = {"id": 1, "id_str": "1", "text": "@acme hi", "user": {"screen_name": "sam"}}

    for payload in (status, {"statuses": [status]}, [status]):
        with pytest.raises(PayloadError, match=r"v1\.1"):
            mentions_from(payload, Source.REPLAY)
