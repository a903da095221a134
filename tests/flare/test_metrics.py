"""/metrics: the care queue read from Redis as Prometheus scrapes it."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import redis
from prometheus_client import generate_latest
from prometheus_client.registry import CollectorRegistry
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq.registry import FailedJobRegistry

from flare import metrics
from flare.dlq import DeadLetters
from flare.incidents import Incidents
from flare.metrics import Tally
from flare.queues import QueueName, queue
from flare.redis_server import EmbeddedRedis
from flare.settings import XSettings
from flare.store import Store
from rules.decision import Action, Priority
from tests.builders import NOON, decision, mention
from tests.conftest import free_port
from workers.spend import Rates, Spend


def scrape(client: redis.Redis, minutes_after_noon: float = 0) -> str:
    registry = CollectorRegistry()
    metrics.install(client, lambda: NOON + timedelta(minutes=minutes_after_noon), registry)
    return generate_latest(registry).decode()


def test_open_and_overdue_cases_are_counted_by_priority(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    for id, priority, due_in in (
        ("a", Priority.P1, 10),
        ("b", Priority.P3, 30),
        ("c", Priority.P3, 60),
    ):
        m = mention(id)
        store.save(m, decision(m, priority=priority, due=NOON + timedelta(minutes=due_in)))
    store.claim("c", "U0AGENT1")
    store.close("c", "U0AGENT1")

    text = scrape(redis_client, minutes_after_noon=45)

    assert 'flare_cases_open{priority="P1"} 1.0' in text
    assert 'flare_cases_open{priority="P3"} 1.0' in text  # c was resolved
    assert "flare_cases_overdue 2.0" in text  # a and b are past their targets at 12:45


def test_decisions_incidents_jobs_and_dead_letters_are_counted(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    for id, action in (("a", Action.RESPOND), ("b", Action.RESPOND), ("c", Action.IGNORE)):
        m = mention(id)
        store.save(m, decision(m, action=action))
    Incidents(redis_client).join("outage", "a", NOON)
    queue(redis_client, QueueName.TRIAGE).enqueue("workers.jobs.triage_batch", [])
    DeadLetters(redis_client).push(b"{broken", "webhook", "POST /intake", "not JSON")

    text = scrape(redis_client)

    assert "flare_mentions_triaged_total 3.0" in text
    assert 'flare_decisions_total{action="respond"} 2.0' in text
    assert 'flare_decisions_total{action="ignore"} 1.0' in text
    assert "flare_incidents_open 1.0" in text
    assert 'flare_queue_jobs{queue="triage"} 1.0' in text
    assert 'flare_queue_jobs{queue="act"} 0.0' in text
    assert "flare_dead_letters 1.0" in text


def test_a_redis_that_is_down_is_said_in_a_gauge_rather_than_a_failed_scrape() -> None:
    gone = redis.Redis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))

    text = scrape(gone)

    assert "flare_redis_up 0.0" in text
    assert [line for line in text.splitlines() if line.startswith("flare_")] == [
        "flare_redis_up 0.0"
    ]


def test_a_redis_that_answers_is_up(redis_client: redis.Redis) -> None:
    assert "flare_redis_up 1.0" in scrape(redis_client)


def test_timings_counted_by_another_process_show_in_this_ones_scrape(
    redis_client: redis.Redis, redis_server: EmbeddedRedis
) -> None:
    code = (
        "import redis; from flare.metrics import Tally; "
        f"t = Tally(redis.Redis.from_url({redis_server.url!r})); "
        "t.observe('first_response', 240); t.observe('first_response', 4000); "
        "t.observe('ingest_to_card', 1.5); t.count('received', 3)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    Tally(redis_client).observe("first_response", 100_000)

    text = scrape(redis_client)

    assert 'flare_first_response_seconds_bucket{le="300"} 1.0' in text
    assert 'flare_first_response_seconds_bucket{le="7200"} 2.0' in text
    assert 'flare_first_response_seconds_bucket{le="+Inf"} 3.0' in text
    assert "flare_first_response_seconds_count 3.0" in text
    assert "flare_first_response_seconds_sum 104240.0" in text
    assert 'flare_ingest_to_card_seconds_bucket{le="2"} 1.0' in text
    assert "flare_mentions_received_total 3.0" in text


def test_breaches_cards_failed_jobs_and_x_spend_are_counted(redis_client: redis.Redis) -> None:
    store = Store(redis_client)
    store.audit("a", "flare", "overdue", due=NOON.isoformat())
    store.audit("b", "flare", "overdue", due=NOON.isoformat())
    store.audit("b", "U0AGENT1", "claim")
    store.count("cards", 2)
    failed = queue(redis_client, QueueName.NOTIFY).enqueue("workers.jobs.post_note", "a", [])
    FailedJobRegistry(queue=queue(redis_client, QueueName.NOTIFY)).add(failed, ttl=600)
    spend = Spend(redis_client, Rates.of(XSettings()))
    spend.record("create_post", calls=2)
    spend.record("mentions", calls=1, posts=100)

    text = scrape(redis_client)

    assert "flare_breaches_total 2.0" in text
    assert 'flare_audited_actions_total{what="claim"} 1.0' in text
    assert "flare_cards_posted_total 2.0" in text
    assert 'flare_jobs_failed{queue="notify"} 1.0' in text
    assert 'flare_x_api_calls_total{endpoint="create_post"} 2.0' in text
    assert 'flare_x_api_estimated_dollars_total{endpoint="create_post"} 0.03' in text
    assert 'flare_x_api_estimated_dollars_total{endpoint="mentions"} 0.1' in text
    assert 'flare_x_api_resources_total{endpoint="mentions",kind="posts"} 100.0' in text
