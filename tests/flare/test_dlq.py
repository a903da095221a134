"""Dead letters: kept whole with source and error; `flare dlq list | show ID | replay [ID]`."""

from __future__ import annotations

import base64
import json

import pytest
import redis
from typer.testing import CliRunner

from cli.main import app
from flare import keys
from flare.dlq import DeadLetters
from flare.queues import QueueName, queue
from flare.redis_server import EmbeddedRedis

runner = CliRunner()

READABLE = {
    "id": "hook-7",
    "text": "@acme the refund never came 😞",
    "created_at": "2026-11-20T09:00:00Z",
    "author": {"id": "u-7", "username": "lee"},
}


@pytest.fixture
def letters(
    redis_client: redis.Redis, redis_server: EmbeddedRedis, monkeypatch: pytest.MonkeyPatch
) -> DeadLetters:
    monkeypatch.setenv("FLARE_REDIS_URL", redis_server.url)
    return DeadLetters(redis_client)


def test_a_dead_letter_keeps_the_raw_bytes_its_source_and_the_error(
    letters: DeadLetters,
) -> None:
    raw = b'{"data": {"id": "1", "text": "\xe2\x9c\x85 ok"}, "x": \xff}'

    kept = letters.push(raw, "x_stream", "x stream", "not JSON: Expecting value at column 45")

    again = letters.get(kept.id)
    assert again is not None
    assert (again.raw, again.source, again.where) == (raw, "x_stream", "x stream")
    assert again.error.startswith("not JSON")


def test_list_shows_each_letter_with_its_source_and_error(letters: DeadLetters) -> None:
    letters.push(b"{oops", "webhook", "POST /intake", "not JSON: Expecting property name")
    letters.push(b"[1]", "replay", "feed.jsonl:3", "expected a JSON object, got int")

    result = runner.invoke(app, ["dlq", "list"])

    assert result.exit_code == 0, result.output
    assert "2 dead letters" in result.output
    assert "POST /intake" in result.output and "feed.jsonl:3" in result.output
    assert "webhook" in result.output and "replay" in result.output


def test_show_prints_the_raw_payload_and_an_unknown_id_is_an_error(
    letters: DeadLetters,
) -> None:
    raw = '{"text": "@acme 你好"}'.encode()
    kept = letters.push(raw, "webhook", "POST /intake", "data: missing")

    shown = runner.invoke(app, ["dlq", "show", kept.id])
    missing = runner.invoke(app, ["dlq", "show", "999"])

    assert shown.exit_code == 0, shown.output
    assert '{"text": "@acme 你好"}' in shown.output
    assert missing.exit_code == 1 and "no dead letter 999" in missing.output


def test_replay_queues_the_letters_that_now_read_and_keeps_the_rest(
    letters: DeadLetters, redis_client: redis.Redis
) -> None:
    fixed = letters.push(b"{oops", "webhook", "POST /intake", "not JSON")
    broken = letters.push(b"[1]", "webhook", "POST /intake", "expected a JSON object")
    fixed_raw = base64.b64encode(json.dumps(READABLE).encode()).decode()
    redis_client.hset(keys.dead_letter(fixed.id), "raw", fixed_raw)  # the sender fixed it

    one = runner.invoke(app, ["dlq", "replay", broken.id])
    every = runner.invoke(app, ["dlq", "replay"])

    assert one.exit_code == 1 and "still unreadable" in one.output
    assert every.exit_code == 0, every.output
    assert "1 replayed (1 queued), 1 still dead" in every.output
    assert letters.ids() == [broken.id]
    [job] = queue(redis_client, QueueName.TRIAGE).get_jobs()
    assert [m["id"] for m in job.args[0]] == ["hook-7"]
    assert job.args[0][0]["source"] == "webhook"
