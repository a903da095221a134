"""Dead letters: kept whole and once each; `flare dlq list | show ID | replay [ID] | drop`."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
import redis
from typer.testing import CliRunner

from cli.main import app
from flare import keys
from flare.dlq import DeadLetters, error_kind
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


def test_the_same_payload_kept_twice_is_one_letter_that_came_in_twice(
    letters: DeadLetters,
) -> None:
    first = letters.push(b"{oops", "webhook", "POST /intake", "not JSON: Expecting value")
    again = letters.push(b"{oops", "webhook", "POST /intake", "not JSON: Expecting value")
    other_source = letters.push(b"{oops", "x_stream", "x stream", "not JSON: Expecting value")

    assert again.id == first.id and again.count == 2
    assert other_source.id != first.id  # read as another source's payload, so kept apart
    assert letters.count() == 2
    assert letters.by_error() == [("not JSON: Expecting value", 2)]


def test_errors_are_counted_by_kind_whatever_their_numbers() -> None:
    assert error_kind("not JSON: Expecting value at column 17") == error_kind(
        "not JSON: Expecting value at column 3"
    )
    assert error_kind("not UTF-8: invalid start byte") == "not UTF-8: invalid start byte"


def test_replaying_the_same_bad_file_twice_does_not_double_its_letters(
    letters: DeadLetters, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("nope\n[1]\n")

    first = runner.invoke(app, ["replay", str(bad)])
    second = runner.invoke(app, ["replay", str(bad)])

    assert first.exit_code == second.exit_code == 1
    assert letters.count() == 2
    assert {letter.count for letter in letters.all()} == {2}


def test_a_page_of_fifteen_thousand_letters_reads_only_that_page(
    letters: DeadLetters, redis_client: redis.Redis
) -> None:
    for n in range(15_000):
        error = "not JSON: Expecting value at column 1" if n % 3 else "not UTF-8: invalid byte"
        letters.push(f"row {n},a,b".encode(), "replay", f"export.csv:{n + 1}", error)
    redis_client.config_resetstat()

    page = letters.page(200, size=50)

    calls = _commands_run(redis_client)
    assert page.total == 15_000 and page.pages == 300
    assert [letter.where for letter in page.letters] == [
        f"export.csv:{n}" for n in range(9_951, 10_001)
    ]
    assert page.by_error == [
        ("not JSON: Expecting value at column N", 10_000),
        ("not UTF-8: invalid byte", 5_000),
    ]
    assert calls <= 50 + 5  # a read per letter shown and a few for the totals: no scan


def test_list_shows_a_page_the_count_by_error_and_the_way_to_the_next(
    letters: DeadLetters,
) -> None:
    for n in range(120):
        letters.push(f"a,{n}".encode(), "replay", f"export.csv:{n + 1}", "not JSON: at column 2")

    first = runner.invoke(app, ["dlq", "list"], env={"COLUMNS": "200"})
    third = runner.invoke(app, ["dlq", "list", "--page", "3"], env={"COLUMNS": "200"})

    assert first.exit_code == 0, first.output
    assert "120 dead letters" in first.output
    assert "not JSON: at column N" in first.output
    assert "page 1 of 3" in first.output and "export.csv:50" in first.output
    assert "export.csv:51 " not in first.output
    assert "next: flare dlq list --page 2" in first.output
    assert "export.csv:120" in third.output and "next:" not in third.output


def test_drop_takes_letters_by_id_by_age_or_all(
    letters: DeadLetters, redis_client: redis.Redis
) -> None:
    kept = [letters.push(f"{n}{{".encode(), "webhook", "/intake", "not JSON") for n in range(5)]
    week_ago = time.time() - 8 * 86_400
    for old in kept[:2]:
        redis_client.zadd(keys.dead_letter_last_seen(), {old.id: week_ago})

    by_id = runner.invoke(app, ["dlq", "drop", kept[4].id, "999"])
    by_age = runner.invoke(app, ["dlq", "drop", "--older-than", "7d"])
    remaining = letters.ids()
    every = runner.invoke(app, ["dlq", "drop", "--all"])
    neither = runner.invoke(app, ["dlq", "drop"])

    assert by_id.exit_code == 0 and "1 dead letters dropped, 4 left" in by_id.output
    assert "1 of the ids named were not dead letters" in by_id.output
    assert "2 dead letters dropped, 2 left" in by_age.output
    assert remaining == [kept[2].id, kept[3].id]
    assert "2 dead letters dropped, 0 left" in every.output
    assert letters.count() == 0 and letters.by_error() == []
    assert neither.exit_code == 2 and "ids, --all or --older-than" in neither.output
    again = letters.push(b"0{", "webhook", "/intake", "not JSON")  # a dropped one, again
    assert again.id not in {k.id for k in kept} and again.count == 1


def test_letters_an_earlier_flare_kept_in_a_list_are_indexed_on_first_use(
    letters: DeadLetters, redis_client: redis.Redis
) -> None:
    for n in ("1", "2"):
        redis_client.hset(
            keys.dead_letter(n),
            mapping={
                "source": "webhook",
                "where": "POST /intake",
                "error": "not JSON",
                "raw": base64.b64encode(b"{").decode(),
                "at": "2026-11-01T09:00:00+00:00",
            },
        )
        redis_client.rpush(keys.dead_letters(), n)

    listed = runner.invoke(app, ["dlq", "list"])

    assert "2 dead letters" in listed.output
    assert not redis_client.exists(keys.dead_letters())
    assert letters.push(b"{", "webhook", "POST /intake", "not JSON").id == "1"  # known content


def _commands_run(client: redis.Redis) -> int:
    """Commands the server ran since its statistics were reset, less the INFO asking."""
    stats = client.info("commandstats")
    return sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")
