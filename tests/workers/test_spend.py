"""X API spend: counted per endpoint and day, priced from the settings."""

from __future__ import annotations

from datetime import date

import pytest
import redis

from flare.settings import XSettings
from workers.spend import Rates, Spend, Usage, estimate

RATES = Rates.of(XSettings())


def test_own_mentions_are_priced_as_owned_reads_per_post() -> None:
    assert estimate("mentions", Usage(calls=3, posts=200), RATES) == pytest.approx(0.20)


def test_search_and_stream_reads_count_posts_and_users() -> None:
    assert estimate("search_recent", Usage(calls=1, posts=10, users=4), RATES) == pytest.approx(
        10 * 0.005 + 4 * 0.010
    )


def test_writes_are_priced_per_call_and_rules_are_free() -> None:
    assert estimate("create_post", Usage(calls=2), RATES) == pytest.approx(0.03)
    assert estimate("create_dm", Usage(calls=1), RATES) == pytest.approx(0.015)
    assert estimate("stream_rules", Usage(calls=9), RATES) == 0


def test_use_is_kept_per_day_and_reported_with_its_cost(redis_client: redis.Redis) -> None:
    day = date(2026, 11, 20)
    spend = Spend(redis_client, RATES, today=lambda: day)

    spend.record("mentions", calls=1, posts=40)
    spend.record("mentions", calls=1, posts=10)
    spend.record("create_post", calls=1)

    assert spend.day(day) == {"create_post": Usage(calls=1), "mentions": Usage(calls=2, posts=50)}
    rows = spend.report(days=2)
    assert [(d, e) for d, e, _, _ in rows] == [(day, "create_post"), (day, "mentions")]
    assert rows[1][3] == pytest.approx(0.05)


def test_the_spend_command_shows_each_endpoint_and_a_total(
    redis_client: redis.Redis, redis_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    monkeypatch.setenv("FLARE_REDIS_URL", redis_server.url)  # type: ignore[attr-defined]
    Spend(redis_client, RATES).record("mentions", calls=2, posts=300)

    result = CliRunner().invoke(app, ["spend", "--days", "1"])

    assert result.exit_code == 0, result.output
    assert "mentions" in result.output and "0.300" in result.output
