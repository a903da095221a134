"""/metrics: the care queue read from Redis as Prometheus scrapes it."""

from __future__ import annotations

from datetime import timedelta

import redis
from prometheus_client import generate_latest
from prometheus_client.registry import CollectorRegistry
from redis.backoff import NoBackoff
from redis.retry import Retry

from flare import metrics
from flare.dlq import DeadLetters
from flare.incidents import Incidents
from flare.queues import QueueName, queue
from flare.store import Store
from rules.decision import Action, Priority
from tests.builders import NOON, decision, mention
from tests.conftest import free_port


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


def test_a_redis_that_is_down_gives_no_flare_metrics_rather_than_a_failed_scrape() -> None:
    gone = redis.Redis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))

    text = scrape(gone)

    assert "flare_" not in text
