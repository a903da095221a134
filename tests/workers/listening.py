"""Helpers for listener tests: settings aimed at the fake X, and what reached the triage queue."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import redis
from pydantic import SecretStr

from flare.queues import QueueName, queue
from flare.settings import Settings
from tests.fakes.x_api import FakeX
from workers.webhook import signature

WEBHOOK_SECRET = "test-webhook-secret"


def listen_settings(fake: FakeX, redis_url: str, **intake: Any) -> Settings:
    """Settings as an operator would set them, with tiny delays so tests stay fast."""
    return Settings(
        redis_url=redis_url,
        brand={"handles": ("acme",)},
        x={
            "api_url": fake.base_url,
            "bearer_token": SecretStr("test-bearer"),
            "user_id": fake.brand_id,
            "consumer_key": SecretStr("ck"),
            "consumer_secret": SecretStr("cs"),
            "access_token": SecretStr("at"),
            "access_token_secret": SecretStr("ats"),
        },
        intake={
            "webhook_secret": SecretStr(WEBHOOK_SECRET),
            "stream_keepalive_timeout": 2.0,
            "backoff_network_step": 0.01,
            "backoff_network_max": 0.05,
            "backoff_http_start": 0.01,
            "backoff_http_max": 0.05,
            "backoff_rate_limit_start": 0.02,
            "poll_interval": 0.2,
            "poll_min_gap": 0.0,
            "backfill_settle": 0.2,
            "batch_wait_ms": 20,
            "redis_retry_max": 0.05,
            **intake,
        },
    )


def queued(client: redis.Redis) -> list[dict[str, Any]]:
    """Every mention in the triage queue's jobs, in queue order."""
    jobs = queue(client, QueueName.TRIAGE).get_jobs()
    return [m for job in jobs for m in job.args[0]]


def queued_ids(client: redis.Redis) -> Counter[str]:
    return Counter(m["id"] for m in queued(client))


def signed(body: bytes, secret: str = WEBHOOK_SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    return {
        "Content-Type": "application/json",
        "X-Flare-Timestamp": timestamp,
        "X-Flare-Signature": signature(secret, timestamp, body),
    }


def flare_mention(id: str, text: str = "@acme my order is late", **extra: Any) -> bytes:
    """A mention in Flare's own form, as a listening tool would send it."""
    return json.dumps(
        {
            "id": id,
            "text": text,
            "created_at": "2026-11-20T09:00:00Z",
            "author": {"id": "u-1", "username": "dana", "followers": 120},
            **extra,
        }
    ).encode()
