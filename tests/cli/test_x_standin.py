"""The web demo's stand-in X, reached through Flare's own X client (tweepy) as X is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from cli.x_standin import BRAND_USERNAME, XStandIn
from rules.mention import Mention
from workers.x_client import XClient


@pytest.fixture
def x() -> Iterator[XStandIn]:
    standin = XStandIn().start()
    yield standin
    standin.stop()


def mention() -> Mention:
    return Mention.model_validate(
        {
            "id": "1890000000000001005",
            "text": "@acme do you ship to Canada?",
            "created_at": datetime(2026, 11, 20, 9, 24, tzinfo=UTC),
            "author": {"id": "u1", "username": "curious_0", "name": "Curious"},
        }
    )


def test_a_reply_is_posted_under_the_post_it_answers_and_found_by_search(x: XStandIn) -> None:
    client = XClient(x.settings())
    x.publish(mention())
    assert not client.has_brand_replied("1890000000000001005")

    reply_id = client.reply("Yes, in 5 to 7 days. ^AT", "1890000000000001005")

    assert client.has_brand_replied("1890000000000001005")
    (post,) = x.snapshot()["posts"]
    assert [r["id"] for r in post["replies"]] == [reply_id]
    (sent,) = x.snapshot()["sent"]
    assert sent["username"] == BRAND_USERNAME and sent["answers"]["username"] == "curious_0"


def test_a_statement_and_a_dm_are_kept_for_the_x_page(x: XStandIn) -> None:
    client = XClient(x.settings())
    x.publish(mention())

    client.post("Our app is down for some of you. Update by 11:00.")
    client.send_dm("u1", "Which order number was it?")

    shown = x.snapshot()
    assert shown["sent"][0]["kind"] == "statement"
    assert shown["dms"] == [
        {
            "dm_conversation_id": "9001-u1",
            "dm_event_id": shown["dms"][0]["dm_event_id"],
            "to": "curious_0",
            "text": "Which order number was it?",
        }
    ]


def test_unsigned_writes_and_unknown_routes_are_refused_as_x_refuses_them(x: XStandIn) -> None:
    unsigned = requests.post(f"{x.base_url}/2/tweets", json={"text": "hi"}, timeout=5)
    elsewhere = requests.get(f"{x.base_url}/2/users/me", timeout=5)

    assert unsigned.status_code == 401
    assert elsewhere.status_code == 404 and elsewhere.json()["title"] == "Not Found Error"
    assert x.posts == []
