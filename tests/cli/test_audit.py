"""`flare audit CASE_ID`: a case's history as a person reads it, or as JSON lines for tools."""

from __future__ import annotations

import json
from datetime import timedelta

import redis

from flare.audit import Audit
from flare.redis_server import EmbeddedRedis
from flare.store import Store
from tests.builders import NOON, decision, mention
from tests.cli.test_main import flare


def _history(client: redis.Redis) -> str:
    """A case claimed, released, taken and resolved, after 1,200 actions on other cases."""
    audit = Audit(client)
    for n in range(1_200):
        audit.record(f"other-{n}", "U0AGENT9", "claim", at=NOON)
    m = mention()
    Store(client).save(m, decision(m), NOON)
    audit.record(m.id, "U0AGENT1", "claim", at=NOON + timedelta(minutes=1), until="12:31")
    audit.record(m.id, "U0AGENT1", "release", at=NOON + timedelta(minutes=2))
    audit.record(m.id, "U0AGENT2", "claim", at=NOON + timedelta(minutes=3))
    audit.record(m.id, "U0AGENT2", "resolve", at=NOON + timedelta(minutes=4), reason="[b]ok[/b]")
    return m.id


def test_a_case_history_is_a_table_in_utc_oldest_first(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    case_id = _history(redis_client)

    result = flare("audit", case_id, env={"FLARE_REDIS_URL": redis_server.url, "COLUMNS": "200"})

    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "2026-11-20" in line]
    assert [row.split("│")[2:4] for row in rows] == [
        [" U0AGENT1 ", " claim   "],
        [" U0AGENT1 ", " release "],
        [" U0AGENT2 ", " claim   "],
        [" U0AGENT2 ", " resolve "],
    ]
    assert "2026-11-20 12:01:00" in rows[0] and "until=12:31" in rows[0]
    assert "reason=[b]ok[/b]" in rows[3]  # shown as written, not taken for markup


def test_a_case_history_as_json_lines(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    case_id = _history(redis_client)

    result = flare("audit", case_id, "--json", env={"FLARE_REDIS_URL": redis_server.url})

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {
        "case": case_id,
        "at": "2026-11-20T12:01:00+00:00",
        "who": "U0AGENT1",
        "what": "claim",
        "detail": {"until": "12:31"},
    }
    assert [line["what"] for line in lines] == ["claim", "release", "claim", "resolve"]


def test_a_case_that_does_not_exist_is_said_so_and_fails(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    result = flare("audit", "404", env={"FLARE_REDIS_URL": redis_server.url})

    assert result.returncode == 1
    assert "no case 404" in result.stderr
    assert result.stdout == ""


def test_a_case_nobody_has_acted_on_yet_is_said_so_and_fails(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    m = mention()
    Store(redis_client).save(m, decision(m), NOON)

    result = flare("audit", m.id, "--json", env={"FLARE_REDIS_URL": redis_server.url})

    assert result.returncode == 1
    assert f"case {m.id} has no history yet: nobody has acted on it" in result.stderr
    assert result.stdout == ""
