"""The X adapter against the fake X: mentions with pages, replies, DMs, and typed errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import redis

from flare.redis_server import EmbeddedRedis
from rules.mention import Source
from tests.fakes.x_api import FakeX
from tests.workers.listening import listen_settings
from workers.x_client import (
    XClient,
    XError,
    XForbidden,
    XRateLimited,
    XUnavailable,
    rate_limit_from,
    rewrite_host,
)


@pytest.fixture
def x(fake_x: FakeX, redis_server: EmbeddedRedis, redis_client: redis.Redis) -> XClient:
    settings = listen_settings(fake_x, redis_server.url)
    return XClient(settings.x, client=redis_client, page_size=5)


def test_tweepys_host_is_replaced_by_the_configured_one() -> None:
    url = "https://api.twitter.com/2/users/1/mentions?since_id=5"

    assert (
        rewrite_host(url, "https://api.x.com/") == "https://api.x.com/2/users/1/mentions?since_id=5"
    )
    assert rewrite_host("https://example.com/a", "https://api.x.com") == "https://example.com/a"


def test_rate_limit_headers_are_read_and_garbled_ones_ignored() -> None:
    limit = rate_limit_from(
        {
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": "1700000000",
        }
    )

    assert (limit.limit, limit.remaining) == (450, 0)
    assert limit.reset_at == datetime.fromtimestamp(1700000000, UTC)
    assert rate_limit_from({"x-rate-limit-remaining": "many"}).remaining is None


def test_mentions_since_a_checkpoint_come_from_every_page_newest_first(
    fake_x: FakeX, x: XClient
) -> None:
    old = fake_x.publish("@acme seen already")
    posts = [fake_x.publish(f"@acme problem {n} 📦") for n in range(12)]
    fake_x.publish("not about us", mention=False)

    mentions, newest = x.mentions_since(old["id"])

    assert [m.id for m in mentions] == [p["id"] for p in reversed(posts)]
    assert newest == posts[-1]["id"]
    assert len(fake_x.requests_to("GET /2/users/:id/mentions")) == 3
    assert mentions[0].source is Source.X_POLL
    assert mentions[0].text.endswith("📦")
    assert mentions[0].author.username == "user777"
    assert mentions[0].created_at.tzinfo is not None


def test_nothing_new_means_no_newest_id(x: XClient) -> None:
    assert x.mentions_since("1") == ([], None)


def test_the_first_poll_can_stop_after_some_pages(fake_x: FakeX, x: XClient) -> None:
    for n in range(12):
        fake_x.publish(f"@acme {n}")

    mentions, newest = x.mentions_since(None, max_pages=1)

    assert len(mentions) == 5 and newest == mentions[0].id


def test_a_post_that_cannot_be_read_is_handed_aside_and_the_page_goes_on(
    fake_x: FakeX, redis_server: EmbeddedRedis
) -> None:
    aside: list[tuple[bytes, str, str]] = []
    settings = listen_settings(fake_x, redis_server.url)
    x = XClient(settings.x, on_unreadable=lambda *a: aside.append(a))
    fake_x.publish("@acme fine")
    fake_x.publish("@acme broken", created_at=None).update(created_at="last tuesday")

    mentions, _ = x.mentions_since(None)

    assert [m.text for m in mentions] == ["@acme fine"]
    assert len(aside) == 1 and "data.created_at" in aside[0][2]
    assert b"last tuesday" in aside[0][0]


def test_a_rate_limit_is_a_typed_error_with_its_reset_time(fake_x: FakeX, x: XClient) -> None:
    fake_x.fail("GET /2/users/:id/mentions", 429, headers={"x-rate-limit-reset": "1900000000"})

    with pytest.raises(XRateLimited) as caught:
        x.mentions_since(None)

    assert caught.value.reset_at == datetime.fromtimestamp(1900000000, UTC)


def test_server_errors_are_unavailable_and_other_refusals_plain_errors(
    fake_x: FakeX, x: XClient
) -> None:
    fake_x.fail("GET /2/users/:id/mentions", 503)
    fake_x.fail("GET /2/tweets/search/recent", 400, body={"title": "Invalid Request"})

    with pytest.raises(XUnavailable):
        x.mentions_since(None)
    with pytest.raises(XError) as caught:
        x.has_brand_replied("1")
    assert caught.value.status == 400 and "Invalid Request" in str(caught.value)


def test_a_reply_is_posted_with_user_context_and_is_idempotent_by_hint(
    fake_x: FakeX, x: XClient
) -> None:
    post = fake_x.publish("@acme where is my parcel?")

    first = x.reply("Sorry Sam, checking now. ^AL", post["id"], hint="reply:case-1")
    second = x.reply("Sorry Sam, checking now. ^AL", post["id"], hint="reply:case-1")

    assert first == second
    sent = fake_x.requests_to("POST /2/tweets")
    assert len(sent) == 1
    assert sent[0].json() == {
        "text": "Sorry Sam, checking now. ^AL",
        "reply": {"in_reply_to_tweet_id": post["id"]},
    }
    assert sent[0].headers["Authorization"].startswith("OAuth ")
    assert x.has_brand_replied(post["conversation_id"])


def test_a_statement_is_a_post_of_its_own_and_is_idempotent_by_hint(
    fake_x: FakeX, x: XClient
) -> None:
    first = x.post("We know the app is down for many of you.", hint="statement:i-1:d1")
    second = x.post("We know the app is down for many of you.", hint="statement:i-1:d1")

    assert first == second
    [sent] = fake_x.requests_to("POST /2/tweets")
    assert sent.json() == {"text": "We know the app is down for many of you."}  # no reply
    assert sent.headers["Authorization"].startswith("OAuth ")


def test_a_reply_x_refuses_is_forbidden_with_xs_reason_and_can_be_tried_again(
    fake_x: FakeX, x: XClient
) -> None:
    stranger = fake_x.publish("acme is overrated", mention=False)

    with pytest.raises(XForbidden) as caught:
        x.reply("Hi!", stranger["id"], hint="reply:case-2")

    assert "not been mentioned" in caught.value.reason
    with pytest.raises(XForbidden):
        x.reply("Hi!", stranger["id"], hint="reply:case-2")  # the hint was released


def test_a_reply_whose_outcome_is_unknown_is_not_sent_blindly_again(
    fake_x: FakeX, x: XClient
) -> None:
    post = fake_x.publish("@acme help")
    fake_x.fail("POST /2/tweets", 503)

    with pytest.raises(XUnavailable):
        x.reply("On it", post["id"], hint="reply:case-3")
    with pytest.raises(XError, match="outcome is unknown"):
        x.reply("On it", post["id"], hint="reply:case-3")


def test_a_dm_goes_to_the_participant_and_returns_its_event_id(fake_x: FakeX, x: XClient) -> None:
    event_id = x.send_dm("777", "Could you send us your order number? 🙏")

    assert fake_x.dms == [
        {
            "dm_conversation_id": "777-9001",
            "dm_event_id": event_id,
            "participant_id": "777",
            "text": "Could you send us your order number? 🙏",
        }
    ]


def test_writes_without_user_context_say_which_settings_are_missing(
    fake_x: FakeX, redis_server: EmbeddedRedis
) -> None:
    settings = listen_settings(fake_x, redis_server.url)
    x = XClient(settings.x.model_copy(update={"access_token": None}))

    with pytest.raises(XError, match="FLARE_X__ACCESS_TOKEN"):
        x.send_dm("777", "hi")
    assert fake_x.requests_to("POST /2/dm_conversations/with/:id/messages") == []


def test_the_brand_has_not_replied_where_it_never_posted(fake_x: FakeX, x: XClient) -> None:
    post = fake_x.publish("@acme hello?")

    assert not x.has_brand_replied(post["conversation_id"])
    query = fake_x.requests_to("GET /2/tweets/search/recent")[0].query["query"]
    assert query == f"conversation_id:{post['conversation_id']} from:{fake_x.brand_id}"
