"""One poison mention in a triage batch: it goes to the dead letters alone, the batch goes on.

The batch is queued as intake queued it before values were bounded at the door, so the job
meets the poison itself; every mention but the poison becomes a case, the poison is kept with
the reason, and its dedupe mark is lifted so `flare dlq replay` can take it in again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis
from pydantic import SecretStr

from cli import wiring
from cli.standin import SlackStandIn
from flare import keys
from flare.dlq import DeadLetters
from flare.redis_server import EmbeddedRedis
from flare.settings import Settings
from rules.engine import Engine
from rules.mention import Mention
from tests.builders import NOON, mention
from tests.conftest import SIGNING_SECRET
from workers import jobs, runtime
from workers.runtime import Runtime


@pytest.fixture
def rt(
    tmp_path: Path,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    fake_slack: SlackStandIn,
) -> Iterator[Runtime]:
    settings = Settings(
        redis_url=redis_server.url,
        data_dir=tmp_path / "data",
        brand={"handles": ("acme",)},
        slack={
            "bot_token": SecretStr("xoxb-test"),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.base_url,
            "alerts_channel": "C0ALERTS",
            "pr_channel": "C0PR",
        },
    )
    yield runtime.install(wiring.build_runtime(settings, redis_client, clock=lambda: NOON))


def queued_as_json(id: str, **change: Any) -> dict[str, Any]:
    """A mention as intake queues it for triage, with some fields changed after the fact."""
    body = mention(id=id, text="@acme my order never arrived, two weeks now").model_dump(
        mode="json"
    )
    for path, value in change.items():
        *parents, leaf = path.split("__")
        at = body
        for part in parents:
            at = at[part]
        at[leaf] = value
    return body


POISONS = {
    "year 0001": {"created_at": "0001-01-01T00:00:00Z"},
    "year 9999": {"created_at": "9999-12-31T23:59:59Z"},
    "followers 10**400": {"author__followers": 10**400},
    "likes 10**400": {"metrics__likes": 10**400},
}


@pytest.mark.parametrize("poison", POISONS.values(), ids=list(POISONS))
def test_one_poison_mention_goes_to_the_dead_letters_alone_and_its_batch_goes_on(
    rt: Runtime, redis_client: redis.Redis, poison: dict[str, Any]
) -> None:
    batch = [queued_as_json("2001"), queued_as_json("2002", **poison), queued_as_json("2003")]
    for queued in batch:
        redis_client.set(keys.seen(queued["id"]), 1)  # as intake marked them

    counts = jobs.triage_batch(batch)

    assert counts["stored"] == 2 and counts["dead"] == 1
    assert rt.store.get("2001") is not None and rt.store.get("2003") is not None
    assert rt.store.get("2002") is None
    [letter] = DeadLetters(redis_client).all()
    assert letter.where == "triage" and letter.source == "replay"
    assert json.loads(letter.raw)["id"] == "2002"
    assert redis_client.get(keys.seen("2002")) is None  # so a replay of it is taken in again
    assert redis_client.get(keys.seen("2001")) is not None


def test_a_batch_that_is_not_even_mentions_loses_nothing_readable(
    rt: Runtime, redis_client: redis.Redis
) -> None:
    batch: list[Any] = ["not a mention", {"id": "2005"}, queued_as_json("2004")]

    counts = jobs.triage_batch(batch)

    assert counts["stored"] == 1 and counts["dead"] == 2
    assert rt.store.get("2004") is not None
    assert len(DeadLetters(redis_client).all()) == 2


class Brittle(Engine):
    """The shipped engine, except that one post breaks it: a fault nobody foresaw."""

    def decide_many(self, mentions: Sequence[Mention], *args: Any, **kwargs: Any) -> Any:
        if any("💥" in m.text for m in mentions):
            raise ArithmeticError("a fault nobody foresaw")
        return super().decide_many(mentions, *args, **kwargs)


def test_a_mention_that_breaks_the_engine_goes_to_the_dead_letters_alone(
    rt: Runtime, redis_client: redis.Redis
) -> None:
    runtime.install(replace(rt, engine=Brittle(rt.playbook, ("acme",))))
    breaks = queued_as_json("2007", text="@acme 💥 my order never arrived")

    counts = jobs.triage_batch([queued_as_json("2006"), breaks, queued_as_json("2008")])

    assert counts["stored"] == 2 and counts["dead"] == 1
    assert rt.store.get("2006") is not None and rt.store.get("2008") is not None
    [letter] = DeadLetters(redis_client).all()
    assert json.loads(letter.raw)["id"] == "2007"
    assert letter.error == "triage failed: ArithmeticError: a fault nobody foresaw"
