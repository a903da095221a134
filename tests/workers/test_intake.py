"""Intake of a file: bad lines are named and kept, good ones are deduped and batched for triage."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
import requests
from pydantic import SecretStr

from flare import keys
from flare.dlq import DeadLetters
from flare.http import router
from flare.queues import QueueName, queue
from flare.settings import IntakeSettings, Settings
from rules.mention import Source
from rules.normalize import read_payload
from tests.builders import mention
from workers.intake import Intake, IntakeReport, webhook_routes
from workers.webhook import signature

X_MESSAGE = {
    "data": {
        "id": "1860000000000000001",
        "text": "@acme my parcel is three days late 📦",
        "created_at": "2026-11-20T09:10:00.000Z",
        "author_id": "42",
        "lang": "en",
        "public_metrics": {"retweet_count": 3, "reply_count": 1, "like_count": 4, "quote_count": 0},
        "entities": {"mentions": [{"start": 0, "end": 5, "username": "acme", "id": "7"}]},
    },
    "includes": {
        "users": [
            {
                "id": "42",
                "name": "Sam",
                "username": "sam_k",
                "verified": False,
                "public_metrics": {"followers_count": 880},
            }
        ]
    },
}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "mentions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _queued_mentions(client: redis.Redis) -> list[dict]:
    jobs = queue(client, QueueName.TRIAGE).get_jobs()
    return [m for job in jobs for m in job.args[0]]


def test_a_file_of_x_messages_and_flare_mentions_reaches_the_triage_queue(
    redis_client: redis.Redis, tmp_path: Path
) -> None:
    own = mention(id="77", text="@acme where is my refund?").model_dump_json()
    path = _write(tmp_path, [json.dumps(X_MESSAGE), own])

    report = Intake(redis_client).replay_file(path)

    assert (report.read, report.new, report.dead) == (2, 2, [])
    queued = _queued_mentions(redis_client)
    assert [m["id"] for m in queued] == ["1860000000000000001", "77"]
    assert queued[0]["author"]["followers"] == 880
    assert queued[0]["text"].endswith("📦")


def test_a_bad_line_is_reported_by_number_and_kept_while_the_rest_go_through(
    redis_client: redis.Redis, tmp_path: Path
) -> None:
    broken = {**X_MESSAGE, "data": {**X_MESSAGE["data"], "created_at": "yesterday"}}
    path = _write(tmp_path, [json.dumps(X_MESSAGE), "{not json", json.dumps(broken)])

    report = Intake(redis_client).replay_file(path)

    assert report.new == 1
    assert [where for where, _ in report.dead] == ["mentions.jsonl:2", "mentions.jsonl:3"]
    assert "not JSON" in report.dead[0][1]
    assert "data.created_at" in report.dead[1][1]
    kept = DeadLetters(redis_client).all()
    assert [k.raw for k in kept] == [b"{not json", json.dumps(broken).encode()]


def test_a_replayed_file_is_not_triaged_twice(redis_client: redis.Redis, tmp_path: Path) -> None:
    path = _write(tmp_path, [json.dumps(X_MESSAGE)])
    intake = Intake(redis_client)

    intake.replay_file(path)
    again = intake.replay_file(path)

    assert (again.new, again.duplicates) == (0, 1)
    assert len(_queued_mentions(redis_client)) == 1


def test_mentions_are_enqueued_in_batches_not_one_job_each(
    redis_client: redis.Redis, tmp_path: Path
) -> None:
    lines = [mention(id=str(i)).model_dump_json() for i in range(25)]
    Intake(redis_client, batch_size=10).replay_file(_write(tmp_path, lines))

    jobs = queue(redis_client, QueueName.TRIAGE).get_jobs()
    assert [len(job.args[0]) for job in jobs] == [10, 10, 5]


def test_a_dead_letter_fixed_at_the_source_can_be_replayed(
    redis_client: redis.Redis, tmp_path: Path
) -> None:
    intake = Intake(redis_client)
    intake.replay_file(_write(tmp_path, ["[1, 2]"]))
    letters = DeadLetters(redis_client)
    (letter,) = letters.all()

    assert intake.replay_dead_letter(letter.id, IntakeReport()) is not None  # still unreadable
    assert letters.ids() == [letter.id]

    redis_client.hset(keys.dead_letter(letter.id), "raw", _b64(json.dumps(X_MESSAGE).encode()))
    assert intake.replay_dead_letter(letter.id, IntakeReport()) is None
    assert letters.ids() == []
    assert len(_queued_mentions(redis_client)) == 1


def test_a_replay_tells_its_progress_in_bytes_of_the_file(
    redis_client: redis.Redis, tmp_path: Path
) -> None:
    path = _write(tmp_path, [mention(id=str(i)).model_dump_json() for i in range(5)] + ["", "x"])
    told: list[int] = []

    report = Intake(redis_client).replay_file(path, progress=told.append)

    assert sum(told) == path.stat().st_size
    assert (report.new, len(report.dead)) == (5, 1)


def test_a_line_nested_too_deeply_is_kept_and_the_lines_after_it_go_through(
    redis_client: redis.Redis, tmp_path: Path
) -> None:
    path = _write(tmp_path, ["[" * 50_000, json.dumps(X_MESSAGE)])  # under the line limit

    report = Intake(redis_client).replay_file(path)

    assert report.dead == [("mentions.jsonl:1", "not JSON: nested too deeply")]
    assert report.new == 1


def test_a_payload_of_a_shape_nobody_foresaw_becomes_a_dead_letter_not_a_crash() -> None:
    odd = {**X_MESSAGE, "includes": {"users": 5}}

    mentions, error = read_payload(json.dumps(odd).encode(), Source.WEBHOOK)

    assert mentions == []
    assert error


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_the_bot_serves_the_webhook_too_when_a_secret_is_set(
    settings: Settings, redis_client: redis.Redis, serve_wsgi: Callable[[Any], str]
) -> None:
    body = json.dumps(
        {
            "id": "hook-1",
            "text": "@acme my order never came",
            "created_at": "2026-11-20T09:00:00Z",
            "author": {"id": "u-9", "username": "ola"},
        }
    ).encode()
    stamp = str(int(time.time()))
    signed = settings.model_copy(
        update={"intake": IntakeSettings(webhook_secret=SecretStr("hook-secret"))}
    )
    bot = serve_wsgi(router(redis_client, webhook_routes(signed, redis_client)))

    answer = requests.post(
        f"{bot}/intake",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Flare-Timestamp": stamp,
            "X-Flare-Signature": signature("hook-secret", stamp, body),
        },
        timeout=5,
    )

    assert answer.status_code == 202
    assert queue(redis_client, QueueName.TRIAGE).count == 1
    assert webhook_routes(settings, redis_client) == {}  # no secret: no endpoint at all


def test_an_over_long_line_becomes_a_short_dead_letter_and_the_rest_go_through(
    tmp_path: Path, redis_client: redis.Redis
) -> None:
    path = tmp_path / "mentions.jsonl"
    huge = json.dumps({**X_MESSAGE, "padding": "x" * 2_000_000})  # X posts are a few KB
    path.write_text(huge + "\n" + json.dumps(X_MESSAGE) + "\n", encoding="utf-8")

    report = Intake(redis_client).replay_file(path)

    assert report.new == 1
    [(where, error)] = report.dead
    assert where == "mentions.jsonl:1" and "over the limit" in error
    [letter] = DeadLetters(redis_client).all()
    assert len(letter.raw) <= 4096 and huge.encode().startswith(letter.raw)


def test_a_post_that_may_need_pr_is_queued_apart_and_triaged_before_the_queue_before_it(
    redis_client: redis.Redis, settings: Settings
) -> None:
    from cli import wiring
    from workers import runtime
    from workers.lane import Lane, lane_queues

    intake = Intake.for_settings(settings, redis_client, batch_size=2)
    ordinary = [mention(id=str(n), text="@acme my parcel is late") for n in range(1, 7)]
    threat = mention(id="99", text="@acme my lawyer will hear about this")

    intake.take([*ordinary, threat])

    assert [
        m["id"] for j in queue(redis_client, QueueName.URGENT).get_jobs() for m in j.args[0]
    ] == ["99"]
    assert len(_queued_mentions(redis_client)) == 6
    runtime.install(wiring.build_runtime(settings, redis_client))
    lane = Lane(
        lane_queues(redis_client, (QueueName.URGENT, QueueName.TRIAGE)), redis_client, False
    )
    lane.work(burst=True, max_jobs=1)  # the triage lane's first job
    assert redis_client.exists(keys.case("99"))
    assert not any(redis_client.exists(keys.case(m.id)) for m in ordinary)


def test_a_file_whose_first_lines_are_all_unreadable_is_not_read_further(
    redis_client: redis.Redis, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    rows = [f"{n},@acme where is my refund,2026-11-20" for n in range(5_000)]
    export.write_text("id,text,created_at\n" + "\n".join(rows) + "\n")

    report = Intake(redis_client).replay_file(export)

    assert report.stopped and report.read == 0
    assert len(report.dead) == 10  # the first ten lines, kept to look at; not five thousand
    assert report.looks_like is not None and report.looks_like.startswith("this looks like CSV")
    assert DeadLetters(redis_client).count() == 10


def test_a_file_with_bad_lines_among_good_ones_is_read_to_its_end(
    redis_client: redis.Redis, tmp_path: Path
) -> None:
    good = json.dumps(X_MESSAGE)
    path = _write(tmp_path, [good, *["nope"] * 30])

    report = Intake(redis_client).replay_file(path)

    assert not report.stopped and report.looks_like is None
    assert report.read == 1 and len(report.dead) == 30
