"""Prometheus metrics read from Redis at scrape time: the whole team's queue, from any process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import redis
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, CollectorRegistry

from flare import keys, problems
from flare.queries import Queries
from flare.queues import all_queues


class RedisCollector:
    """The care queue as numbers: open cases by priority, overdue, incidents, jobs, dead letters.

    The state lives in Redis, shared by every process, so it is read when Prometheus asks rather
    than counted in one process's memory. A Redis error gives no Flare metrics, not a failed scrape.
    """

    def __init__(self, client: redis.Redis, clock: Callable[[], datetime]) -> None:
        self.queries = Queries(client)
        self.redis = client
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        try:
            yield from self._read()
        except redis.RedisError:
            return

    def _read(self) -> list[Metric]:
        now = self.clock()
        open_cases = GaugeMetricFamily(
            "flare_cases_open", "Cases that need a person, open or claimed", labels=["priority"]
        )
        for priority, cases in self.queries.open_by_priority().items():
            open_cases.add_metric([priority.value], len(cases))
        overdue = GaugeMetricFamily(
            "flare_cases_overdue", "Open or claimed cases past their response target"
        )
        overdue.add_metric([], len(self.queries.breached(now)))
        incidents = GaugeMetricFamily("flare_incidents_open", "Open incidents (complaint spikes)")
        incidents.add_metric([], len(self.queries.incidents()))
        jobs = GaugeMetricFamily("flare_queue_jobs", "Jobs waiting in each queue", labels=["queue"])
        for q in all_queues(self.redis):
            jobs.add_metric([q.name], q.count)
        dead = GaugeMetricFamily(
            "flare_dead_letters", "Payloads kept because they could not be read"
        )
        dead.add_metric([], self.redis.llen(keys.dead_letters()))
        stats = self.queries.store.stats()
        mentions = CounterMetricFamily("flare_mentions_triaged", "Mentions decided by triage")
        mentions.add_metric([], stats.get("mentions", 0))
        decisions = CounterMetricFamily(
            "flare_decisions", "Decisions made by triage, by action", labels=["action"]
        )
        for name, value in sorted(stats.items()):
            if name.startswith("action:"):
                decisions.add_metric([name.split(":", 1)[1]], value)
        return [open_cases, overdue, incidents, jobs, dead, mentions, decisions, _slack(self.redis)]


def _slack(client: redis.Redis) -> Metric:
    """What Slack refused the workers for good (a channel not found, the app not in it), until
    `flare doctor` sees it fixed."""
    refused = GaugeMetricFamily(
        "flare_slack_problems",
        "Jobs Slack refused for a reason no retry cures, by error and channel (flare doctor)",
        labels=["error", "channel"],
    )
    for problem in problems.known(client):
        refused.add_metric([problem.code, problem.channel], problem.times)
    return refused


def install(
    client: redis.Redis, clock: Callable[[], datetime], registry: CollectorRegistry = REGISTRY
) -> RedisCollector:
    """Serve the queue's metrics from this process's /metrics."""
    collector = RedisCollector(client, clock)
    registry.register(collector)
    return collector
