"""`flare report` and `flare forget`, run as a user runs them."""

from __future__ import annotations

import csv
import io
import json

import redis

from flare.redis_server import EmbeddedRedis
from flare.store import Store
from tests.cli.test_main import flare
from tests.flare.test_report import script_a_day


def test_the_report_as_json_holds_the_audits_numbers(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    script_a_day(redis_client)

    result = flare(
        "report", "--since", "366d", "--format", "json", env={"FLARE_REDIS_URL": redis_server.url}
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["breaches"] == {"P3": 1}
    assert report["first_response"]["P3"]["p90_minutes"] == 50
    assert report["handled"] == {"U1": 2, "U2": 2}
    assert report["incidents"][0]["minutes_to_acknowledge"] == 7


def test_the_report_as_csv_is_one_table_and_as_a_table_reads_at_a_glance(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    script_a_day(redis_client)
    env = {"FLARE_REDIS_URL": redis_server.url, "COLUMNS": "200"}

    as_csv = flare("report", "--since", "366d", "--format", "csv", env=env)
    as_table = flare("report", "--since", "366d", env=env)

    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["section", "group", "key", "value"]
    assert ["handled", "U1", "cases", "2"] in rows
    assert as_table.returncode == 0, as_table.stderr
    assert "Inside target overall: 75%; breaches: 1 (P3 1)" in as_table.stdout  # d answered too


def test_a_span_that_is_not_one_is_refused(redis_server: EmbeddedRedis) -> None:
    result = flare("report", "--since", "a while", env={"FLARE_REDIS_URL": redis_server.url})

    assert result.returncode == 2
    assert "--since a while" in result.stderr


def test_forget_says_what_it_removed(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    script_a_day(redis_client)  # every case there is by @dana

    result = flare("forget", "@dana", env={"FLARE_REDIS_URL": redis_server.url})

    assert result.returncode == 0, result.stderr
    assert "4 case(s), with their own audit and follow-ups" in result.stdout
    assert "11 entry(ies) of the audit of all cases" in result.stdout
    assert Store(redis_client).get("a") is None
    again = flare("forget", "@dana", env={"FLARE_REDIS_URL": redis_server.url})
    assert again.returncode == 1 and "nothing found for @dana" in again.stderr
