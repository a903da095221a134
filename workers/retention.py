"""The daily retention sweep: cases, audit entries and dead letters past their time go."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import redis
from rq.job import Job as RqJob

from flare.jobs import Job, enqueue_at, job_id
from flare.retention import Retention
from flare.settings import Settings
from workers.runtime import current

log = logging.getLogger(__name__)
SWEEP_HOUR = 3  # UTC: a quiet hour for most teams


def schedule(client: redis.Redis, day: date) -> bool:
    """Schedule `day`'s sweep unless it is scheduled already (one job id per day)."""
    name = job_id("expire", day.isoformat())
    if RqJob.exists(name, connection=client):
        return False
    when = datetime(day.year, day.month, day.day, SWEEP_HOUR, tzinfo=UTC)
    enqueue_at(client, when, Job.EXPIRE_OLD, day.isoformat(), job_id=name)
    return True


def first_day(now: datetime) -> date:
    today = now.astimezone(UTC).date()
    return today if now.astimezone(UTC).hour < SWEEP_HOUR else today + timedelta(days=1)


def cutoff(now: datetime, settings: Settings) -> datetime:
    """Before this, a case or an audit entry is past FLARE_REPORTS__RETENTION_DAYS."""
    return now - timedelta(days=settings.reports.retention_days)


def expire_old(day: str) -> dict[str, int]:
    """Delete what is older than the retention time, then schedule the next day's sweep."""
    rt = current()
    schedule(rt.redis, date.fromisoformat(day) + timedelta(days=1))
    removed = Retention(rt.redis).expire(cutoff(rt.clock(), rt.settings))
    log.warning("retention: %s", "; ".join(removed.lines()))
    return {
        "cases": removed.cases,
        "audit_entries": removed.audit_entries,
        "dead_letters": removed.dead_letters,
    }
