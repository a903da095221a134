"""POST /intake: signed JSON in, 202 and the triage queue; anything wrong is a 4xx naming it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
import redis
import requests

from flare.dlq import DeadLetters
from flare.http import router
from flare.queues import QueueName, queue
from workers.intake import Intake
from workers.webhook import build_intake_endpoint, check_signature, signature

SECRET = "hook-secret"
NOW = 1_790_000_000.0
MAX_BYTES = 4096


def flare_mention(id: str = "w-1", **extra: object) -> dict[str, object]:
    return {
        "id": id,
        "text": "@acme the app logs me out every hour 😩",
        "created_at": "2026-11-20T09:00:00Z",
        "author": {"id": "u-1", "username": "dana", "followers": 120},
        **extra,
    }


def headers_for(body: bytes, at: float = NOW, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(at))
    return {
        "Content-Type": "application/json",
        "X-Flare-Timestamp": stamp,
        "X-Flare-Signature": signature(secret, stamp, body),
    }


def queued(client: redis.Redis) -> list[dict]:
    return [m for job in queue(client, QueueName.TRIAGE).get_jobs() for m in job.args[0]]


@pytest.fixture
def post(
    redis_client: redis.Redis, serve_wsgi: Callable[[object], str]
) -> Callable[..., requests.Response]:
    endpoint = build_intake_endpoint(Intake(redis_client), SECRET, MAX_BYTES, lambda: NOW)
    base = serve_wsgi(router(redis_client, {"/intake": endpoint}))

    def send(body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
        hdrs = headers_for(body) if headers is None else headers
        return requests.post(f"{base}/intake", data=body, headers=hdrs, timeout=5)

    return send


def test_the_signature_covers_version_timestamp_and_raw_body() -> None:
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"v1:1700000000:{}", hashlib.sha256).hexdigest()

    assert signature("k", "1700000000", b"{}") == f"v1={expected}"


def test_a_signature_is_checked_against_the_body_and_the_clock() -> None:
    good = signature(SECRET, str(int(NOW)), b"{}")

    assert check_signature(SECRET, str(int(NOW)), good, b"{}", NOW) is None
    assert check_signature(SECRET, str(int(NOW)), good, b"{ }", NOW).error.startswith("signature")  # type: ignore[union-attr]
    assert "stale" in check_signature(SECRET, str(int(NOW)), good, b"{}", NOW + 301).error  # type: ignore[union-attr]
    assert "future" in check_signature(SECRET, str(int(NOW)), good, b"{}", NOW - 301).error  # type: ignore[union-attr]


def test_a_signed_mention_is_accepted_and_reaches_the_triage_queue(
    post: Callable[..., requests.Response], redis_client: redis.Redis
) -> None:
    answer = post(json.dumps(flare_mention()).encode())

    assert answer.status_code == 202
    assert answer.json() == {"accepted": 1, "ids": ["w-1"]}
    [queued_one] = queued(redis_client)
    assert queued_one["id"] == "w-1" and queued_one["source"] == "webhook"
    assert queued_one["text"].endswith("😩")


def test_a_list_of_x_and_flare_payloads_is_accepted_and_repeats_are_queued_once(
    post: Callable[..., requests.Response], redis_client: redis.Redis
) -> None:
    x_message = {
        "data": {
            "id": "1860000000000000001",
            "text": "@acme 配達が遅れています",
            "created_at": "2026-11-20T09:10:00.000Z",
            "author_id": "42",
            "edit_history_tweet_ids": ["1860000000000000001"],
        },
        "includes": {"users": [{"id": "42", "username": "kenji", "name": "Kenji"}]},
    }
    body = json.dumps([x_message, flare_mention("w-2")]).encode()

    assert post(body).status_code == 202
    assert post(body, headers_for(body, at=NOW + 1)).status_code == 202  # sent again, signed anew

    assert [m["id"] for m in queued(redis_client)] == ["1860000000000000001", "w-2"]


def test_a_signed_request_replayed_within_its_window_is_refused(
    post: Callable[..., requests.Response], redis_client: redis.Redis
) -> None:
    body = json.dumps(flare_mention()).encode()
    captured = headers_for(body)

    first, replay = post(body, captured), post(body, captured)

    assert first.status_code == 202
    assert (replay.status_code, replay.json()["field"]) == (409, "X-Flare-Signature")
    assert "replay" in replay.json()["error"]
    assert len(queued(redis_client)) == 1


def test_a_forged_signature_is_refused(post: Callable[..., requests.Response]) -> None:
    body = json.dumps(flare_mention()).encode()

    answer = post(body, headers_for(body, secret="guessed"))

    assert answer.status_code == 401
    assert answer.json()["field"] == "X-Flare-Signature"


def test_a_missing_signature_is_refused(post: Callable[..., requests.Response]) -> None:
    body = json.dumps(flare_mention()).encode()
    headers = headers_for(body)
    del headers["X-Flare-Signature"]

    answer = post(body, headers)

    assert (answer.status_code, answer.json()["field"]) == (401, "X-Flare-Signature")


def test_a_replayed_request_older_than_five_minutes_is_refused(
    post: Callable[..., requests.Response], redis_client: redis.Redis
) -> None:
    body = json.dumps(flare_mention()).encode()

    answer = post(body, headers_for(body, at=NOW - 301))

    assert answer.status_code == 401
    assert answer.json()["field"] == "X-Flare-Timestamp"
    assert "stale" in answer.json()["error"]
    assert queued(redis_client) == []


def test_an_oversized_body_is_refused_before_it_is_read(
    post: Callable[..., requests.Response],
) -> None:
    body = json.dumps(flare_mention(text="x" * MAX_BYTES)).encode()

    answer = post(body)

    assert answer.status_code == 413
    assert answer.json()["field"] == "Content-Length"


def test_a_body_that_is_not_json_is_refused_and_kept_as_a_dead_letter(
    post: Callable[..., requests.Response], redis_client: redis.Redis
) -> None:
    answer = post(b"{'id': 1")

    assert answer.status_code == 400
    assert answer.json()["field"] == "body" and "not JSON" in answer.json()["error"]
    [letter] = DeadLetters(redis_client).all()
    assert (letter.raw, letter.source, letter.where) == (b"{'id': 1", "webhook", "POST /intake")


def test_a_field_of_the_wrong_type_is_named(post: Callable[..., requests.Response]) -> None:
    wrong = [
        (flare_mention(created_at=["tuesday"]), "created_at"),
        (
            {
                "data": {
                    "id": "1",
                    "text": "hi",
                    "created_at": "2026-11-20T09:00:00Z",
                    "author_id": "2",
                    "lang": 7,
                }
            },
            "data.lang",
        ),
        (
            {
                "data": {
                    "id": "1",
                    "text": "hi",
                    "created_at": "2026-11-20T09:00:00Z",
                    "author_id": "2",
                    "entities": {"mentions": "@acme"},
                }
            },
            "data.entities.mentions",
        ),
        ([flare_mention("ok"), {"data": {"id": "1", "text": 5}}], "[1].data.text"),
        ({"hello": "world"}, "body"),
        ([], "body"),
    ]
    for payload, field in wrong:
        answer = post(json.dumps(payload).encode())
        assert (answer.status_code, answer.json()["field"]) == (422, field), payload


def test_an_oversized_body_sent_in_chunks_is_refused(
    post: Callable[..., requests.Response],
) -> None:
    body = json.dumps(flare_mention(text="x" * MAX_BYTES)).encode()
    chunks = (body[i : i + 512] for i in range(0, len(body), 512))  # no Content-Length

    answer = post(chunks, headers_for(body))  # type: ignore[arg-type]

    assert answer.status_code == 413
    assert answer.json()["field"] in ("Content-Length", "body")


def test_json_nested_beyond_reason_is_a_clear_400_not_a_crash(
    post: Callable[..., requests.Response],
) -> None:
    deep = ("[" * 2000 + "]" * 2000).encode()  # within the size limit, past Python's stack
    nested = json.dumps([[flare_mention()]]).encode()

    too_deep, in_a_list = post(deep), post(nested)

    assert (too_deep.status_code, too_deep.json()["field"]) == (400, "body")
    assert "nested" in too_deep.json()["error"]
    assert (in_a_list.status_code, in_a_list.json()["field"]) == (422, "[0]")


def test_no_malformed_request_gets_a_server_error(post: Callable[..., requests.Response]) -> None:
    good = json.dumps(flare_mention()).encode()
    lots = json.dumps(flare_mention(author={"id": "1", "followers": "lots"})).encode()
    malformed: list[tuple[bytes, dict[str, str]]] = [
        (good, {**headers_for(good), "X-Flare-Timestamp": "soon"}),
        (good, {**headers_for(good), "X-Flare-Signature": "v1=" + "0" * 64}),
        (good, {"Content-Type": "application/json"}),
        (b"", headers_for(b"")),
        (b"null", headers_for(b"null")),
        (b'"@acme hi"', headers_for(b'"@acme hi"')),
        (b"[1, 2, 3]", headers_for(b"[1, 2, 3]")),
        (b'{"data": null}', headers_for(b'{"data": null}')),
        (b'{"data": [{"id": {}}]}', headers_for(b'{"data": [{"id": {}}]}')),
        (b'{"id": 1, "text": 2, "author": 3}', headers_for(b'{"id": 1, "text": 2, "author": 3}')),
        (lots, headers_for(lots)),
        (b"\xef\xbb\xbf{}", headers_for(b"\xef\xbb\xbf{}")),
    ]
    for body, headers in malformed:
        answer = post(body, headers)
        assert 400 <= answer.status_code < 500, (body[:60], answer.status_code, answer.text)
        assert answer.json()["error"], body[:60]


def test_a_body_that_is_not_utf8_is_refused(post: Callable[..., requests.Response]) -> None:
    answer = post(b'{"id": "\xff"}')

    assert (answer.status_code, answer.json()["field"]) == (400, "body")
    assert "UTF-8" in answer.json()["error"]


def test_only_json_is_taken(post: Callable[..., requests.Response]) -> None:
    body = json.dumps(flare_mention()).encode()
    headers = {**headers_for(body), "Content-Type": "application/x-www-form-urlencoded"}

    answer = post(body, headers)

    assert (answer.status_code, answer.json()["field"]) == (415, "Content-Type")


def test_only_post_is_allowed(
    redis_client: redis.Redis, serve_wsgi: Callable[[object], str]
) -> None:
    endpoint = build_intake_endpoint(Intake(redis_client), SECRET, MAX_BYTES, time.time)
    base = serve_wsgi(endpoint)

    answer = requests.get(f"{base}/intake", timeout=5)

    assert answer.status_code == 405 and answer.headers["Allow"] == "POST"


def test_without_a_secret_nothing_is_accepted(
    redis_client: redis.Redis, serve_wsgi: Callable[[object], str]
) -> None:
    base = serve_wsgi(build_intake_endpoint(Intake(redis_client), None, MAX_BYTES, time.time))
    body = json.dumps(flare_mention()).encode()

    answer = requests.post(f"{base}/intake", data=body, headers=headers_for(body), timeout=5)

    assert answer.status_code == 503
    assert "FLARE_INTAKE__WEBHOOK_SECRET" in answer.json()["error"]
    assert queued(redis_client) == []


# values out of range, ids that could address another case: refused at the door ---------------
X_POST = {
    "data": {
        "id": "1860000000000000001",
        "text": "@acme still waiting",
        "created_at": "2026-11-20T09:10:00.000Z",
        "author_id": "42",
        "public_metrics": {"like_count": 3},
    },
    "includes": {"users": [{"id": "42", "username": "kenji", "public_metrics": {}}]},
}


def x_post(**data: object) -> dict[str, object]:
    users = X_POST["includes"]["users"]  # type: ignore[index]
    return {**X_POST, "data": {**X_POST["data"], **data}, "includes": {"users": users}}  # type: ignore[dict-item]


OUT_OF_RANGE = {
    "year 0001": (flare_mention(created_at="0001-01-01T00:00:00Z"), "created_at"),
    "year 9999": (flare_mention(created_at="9999-12-31T23:59:59Z"), "created_at"),
    "followers 10**400": (
        flare_mention(author={"id": "u-1", "followers": 10**400}),
        "author.followers",
    ),
    "negative likes": (flare_mention(metrics={"likes": -1}), "metrics.likes"),
    "X year 9999": (x_post(created_at="9999-01-01T00:00:00Z"), "data.created_at"),
    "X likes 10**400": (
        x_post(public_metrics={"like_count": 10**400}),
        "data.public_metrics.like_count",
    ),
}


@pytest.mark.parametrize(("payload", "field"), OUT_OF_RANGE.values(), ids=list(OUT_OF_RANGE))
def test_a_date_or_count_out_of_range_is_refused_at_the_door_naming_the_field(
    post: Callable[..., requests.Response],
    redis_client: redis.Redis,
    payload: dict[str, object],
    field: str,
) -> None:
    answer = post(json.dumps(payload).encode())

    assert (answer.status_code, answer.json()["field"]) == (422, field)
    assert any(word in answer.json()["error"] for word in ("range", "less than", "greater"))
    assert queued(redis_client) == []


PIPED_IDS = {
    "a pipe in the post id": (flare_mention(id="v-pipe|x"), "id"),
    "a key separator": (flare_mention(id="42:follow-ups"), "id"),
    "a space": (flare_mention(id="a b"), "id"),
    "an author id with a pipe": (flare_mention(author={"id": "u|1"}), "author.id"),
    "an X post id with a pipe": (x_post(id="1|2"), "data.id"),
    "an X conversation id": (x_post(conversation_id="c|1"), "data.conversation_id"),
}


@pytest.mark.parametrize(("payload", "field"), PIPED_IDS.values(), ids=list(PIPED_IDS))
def test_an_id_that_could_address_another_case_is_refused_naming_the_field(
    post: Callable[..., requests.Response],
    redis_client: redis.Redis,
    payload: dict[str, object],
    field: str,
) -> None:
    answer = post(json.dumps(payload).encode())

    assert (answer.status_code, answer.json()["field"]) == (422, field)
    assert "letters, digits" in answer.json()["error"]
    assert queued(redis_client) == []


def test_a_timestamp_of_309_digits_is_a_400_not_a_crash(
    post: Callable[..., requests.Response],
) -> None:
    body = json.dumps(flare_mention()).encode()
    stamp = "9" * 309

    answer = post(body, {**headers_for(body), "X-Flare-Timestamp": stamp})

    assert (answer.status_code, answer.json()["field"]) == (400, "X-Flare-Timestamp")
    assert answer.json()["error"] == "timestamp must be unix seconds"
