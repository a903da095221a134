"""Prometheus metrics read from Redis at scrape time: the whole team's queue, from any process."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

import redis
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import REGISTRY, CollectorRegistry
from rq.registry import FailedJobRegistry

from flare import keys, problems
from flare.queries import Queries
from flare.queues import all_queues

log = logging.getLogger(__name__)

# The histograms every process adds to in Redis: name → (help, upper bounds in seconds).
HISTOGRAMS: dict[str, tuple[str, tuple[float, ...]]] = {
    "ingest_to_card": (
        "Seconds from a post handed to triage to its card in chat",
        (0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
    ),
    "first_response": (
        "Seconds from a customer's post to the brand's first reply or DM",
        (60, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400),
    ),
}


class Tally:
    """Counts and timings kept in Redis, so every process adds to the same series: a process's
    own prometheus_client counters would each show only its share and reset when it restarts."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def count(self, name: str, by: int = 1) -> None:
        """Add to one of the counters in the stats hash (received, cards, ...); a Redis error
        is logged, not raised, as below."""
        try:
            self.redis.hincrby(keys.stats(), name, by)
        except redis.RedisError as exc:
            log.warning("could not count %s: %s", name, exc)

    def observe(self, name: str, seconds: float) -> None:
        """Add one observation to a histogram of HISTOGRAMS; a Redis error is logged, not
        raised: a timing is never worth failing the work it times."""
        bounds = HISTOGRAMS[name][1]
        bucket = next((i for i, bound in enumerate(bounds) if seconds <= bound), len(bounds))
        try:
            pipe = self.redis.pipeline()
            pipe.hincrby(keys.histogram(name), f"b{bucket}", 1)
            pipe.hincrbyfloat(keys.histogram(name), "sum", max(0.0, seconds))
            pipe.hincrby(keys.histogram(name), "count", 1)
            pipe.execute()
        except redis.RedisError as exc:
            log.warning("could not time %s: %s", name, exc)


def cumulative(raw: dict[str, float], bounds: tuple[float, ...]) -> list[tuple[str, float]]:
    """Prometheus buckets (le, count so far) from the per-bucket counts kept in Redis."""
    out, total = [], 0.0
    for i, bound in enumerate((*bounds, float("inf"))):
        total += raw.get(f"b{i}", 0.0)
        out.append(("+Inf" if bound == float("inf") else f"{bound:g}", total))
    return out


class RedisCollector:
    """The care queue as numbers: cases, queues, intake, cards, timings, breaches, X API spend.

    The state lives in Redis, shared by every process, so it is read when Prometheus asks rather
    than counted in one process's memory. With Redis down the scrape still answers, with
    `flare_redis_up 0` and nothing else of Flare's.
    """

    def __init__(self, client: redis.Redis, clock: Callable[[], datetime]) -> None:
        self.queries = Queries(client)
        self.redis = client
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("flare_redis_up", "1 when Redis answered this scrape, else 0")
        try:
            read = self._read()
        except redis.RedisError as exc:
            log.warning("/metrics: Redis unavailable: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from read

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
        failed = GaugeMetricFamily(
            "flare_jobs_failed",
            "Jobs that failed for good, kept in each queue's failed registry",
            labels=["queue"],
        )
        for q in all_queues(self.redis):
            jobs.add_metric([q.name], q.count)
            failed.add_metric([q.name], FailedJobRegistry(queue=q).count)
        dead = GaugeMetricFamily(
            "flare_dead_letters", "Payloads kept because they could not be read"
        )
        dead.add_metric([], self.redis.zcard(keys.dead_letter_index()))
        stats = self.queries.store.stats()
        received = CounterMetricFamily(
            "flare_mentions_received", "Posts taken in by intake and queued for triage (new ones)"
        )
        received.add_metric([], stats.get("received", 0))
        mentions = CounterMetricFamily("flare_mentions_triaged", "Mentions decided by triage")
        mentions.add_metric([], stats.get("mentions", 0))
        cards = CounterMetricFamily("flare_cards_posted", "Case cards posted in chat")
        cards.add_metric([], stats.get("cards", 0))
        decisions = CounterMetricFamily(
            "flare_decisions", "Decisions made by triage, by action", labels=["action"]
        )
        for name, value in sorted(stats.items()):
            if name.startswith("action:"):
                decisions.add_metric([name.split(":", 1)[1]], value)
        counts = _numbers(self.redis.hgetall(keys.audit_counts()))
        breaches = CounterMetricFamily(
            "flare_breaches", "Cases found unanswered at their response target"
        )
        breaches.add_metric([], counts.get("overdue", 0))
        actions = CounterMetricFamily(
            "flare_audited_actions", "Actions written to the audit, by what", labels=["what"]
        )
        for what, n in sorted(counts.items()):
            actions.add_metric([what], n)
        return [
            open_cases,
            overdue,
            incidents,
            jobs,
            failed,
            dead,
            received,
            mentions,
            cards,
            decisions,
            breaches,
            actions,
            *self._histograms(),
            *self._x_api(),
            _slack(self.redis),
        ]

    def _histograms(self) -> list[Metric]:
        out: list[Metric] = []
        for name, (help_, bounds) in HISTOGRAMS.items():
            raw = _numbers(self.redis.hgetall(keys.histogram(name)))
            family = HistogramMetricFamily(f"flare_{name}_seconds", help_)
            family.add_metric([], cumulative(raw, bounds), raw.get("sum", 0.0))
            out.append(family)
        return out

    def _x_api(self) -> list[Metric]:
        calls = CounterMetricFamily(
            "flare_x_api_calls", "Calls made to the X API", labels=["endpoint"]
        )
        dollars = CounterMetricFamily(
            "flare_x_api_estimated_dollars",
            "Estimated X API cost in US dollars (FLARE_X__PRICE_*)",
            labels=["endpoint"],
        )
        resources = CounterMetricFamily(
            "flare_x_api_resources",
            "Posts and users read from the X API",
            labels=["endpoint", "kind"],
        )
        for name, value in sorted(_numbers(self.redis.hgetall(keys.x_spend_total())).items()):
            endpoint, _, kind = name.rpartition(":")
            if kind == "calls":
                calls.add_metric([endpoint], value)
            elif kind == "dollars":
                dollars.add_metric([endpoint], value)
            elif kind in ("posts", "users"):
                resources.add_metric([endpoint, kind], value)
        return [calls, resources, dollars]


def _numbers(raw: dict[bytes, bytes]) -> dict[str, float]:
    return {k.decode(): float(v) for k, v in raw.items()}


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
