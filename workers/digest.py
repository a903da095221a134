"""The daily digest: the past day's report and its chart, posted to the leads' channel once."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import redis
from rq.job import Job as RqJob

from bot import digest
from bot.mrkdwn import escape
from bot.slack_client import Posted
from flare import chart, keys
from flare.defaults import CHAT_RETRY
from flare.jobs import Job, enqueue_at, job_id
from flare.report import gather
from flare.settings import Settings
from workers import jobs
from workers.runtime import current

log = logging.getLogger(__name__)


def digest_at(day: date, settings: Settings) -> datetime:
    """When the digest of `day` is due: that day at FLARE_REPORTS__DIGEST_HOUR, UTC."""
    return datetime(day.year, day.month, day.day, settings.reports.digest_hour, tzinfo=UTC)


def next_day(now: datetime, settings: Settings) -> date:
    """The day whose digest is the next to post from `now` (today's if its hour is to come)."""
    today = now.astimezone(UTC).date()
    return today if now < digest_at(today, settings) else today + timedelta(days=1)


def schedule(client: redis.Redis, settings: Settings, day: date) -> bool:
    """Schedule `day`'s digest unless it is scheduled (or ran) already: one job id per day, so
    every worker process may call this at its start. True when this call scheduled it."""
    name = job_id("digest", day.isoformat())
    if RqJob.exists(name, connection=client) or client.exists(keys.digest(day.isoformat())):
        return False
    enqueue_at(
        client,
        digest_at(day, settings),
        Job.DAILY_DIGEST,
        day.isoformat(),
        job_id=name,
        retry=CHAT_RETRY,
    )
    return True


def daily_digest(day: str) -> str:
    """Post the report of the 24 hours up to `day`'s digest hour, with its chart, in the leads'
    channel; then the next day's is scheduled. Posted once per day: the numbers' message is
    found again after an answer that never came, and the chart is shared once it is posted."""
    rt = current()
    when = date.fromisoformat(day)
    schedule(rt.redis, rt.settings, when + timedelta(days=1))  # the chain goes on whatever
    if rt.slack is None:
        return "no-slack"
    key = keys.digest(day)
    done = {k.decode(): v.decode() for k, v in rt.redis.hgetall(key).items()}
    if "file" in done:
        return "posted before"
    until = digest_at(when, rt.settings)
    report = gather(rt.redis, until - timedelta(days=1), until)
    client = rt.slack.client
    if "ts" not in done:
        channel = rt.settings.reports.digest_channel or rt.settings.slack.alerts_channel
        slack = rt.slack  # people by name: a mention in the channel would ping each of them
        said = digest.text(report, lambda who: escape(slack.name(who) or who))
        posted = jobs._post(rt, channel, [], said)  # within the channel's budget, found again
        if not isinstance(posted, Posted):  # after a lost answer: the job's own name marks it
            return jobs._later(rt, posted, Job.DAILY_DIGEST, day)
        done.update(channel=posted.channel, ts=posted.ts)
        rt.redis.hset(key, mapping={"channel": posted.channel, "ts": posted.ts})
        rt.redis.expire(key, 40 * 24 * 3600)
    file_id = client.upload_file(
        done["channel"], chart.png(report), f"flare-{day}.png", digest.title(report)
    )
    rt.redis.hset(key, "file", file_id or "shared")
    return file_id
