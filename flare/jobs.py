"""Every background job by name, the queue it runs on, and the one way to put it there."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import redis
from rq.job import Job as RqJob

from flare import keys
from flare.defaults import CHAT_RETRY, DIRTY_TTL
from flare.queues import QueueName, queue


class Job(StrEnum):
    """The dotted path RQ imports; `flare.jobs` is the only place these strings are written."""

    TRIAGE_BATCH = "workers.jobs.triage_batch"
    TRIAGE_FAILED = "workers.jobs.triage_failed"  # RQ's on_failure callback of a triage batch
    NOTIFY_CASE = "workers.jobs.notify_case"
    NOTIFY_INCIDENT = "workers.jobs.notify_incident"
    DRAIN_CHANNEL = "workers.jobs.drain_channel"
    DRAW_FOLD = "workers.fold.draw_fold"
    POST_MESSAGE = "workers.jobs.post_message"
    POST_NOTE = "workers.jobs.post_note"
    TELL_CASE = "workers.jobs.tell_case"
    REDRAW_CARD = "workers.jobs.redraw_card"
    CHECK_DUE = "workers.jobs.check_due"
    ASK_APPROVAL = "workers.jobs.ask_approval"
    SETTLE_APPROVAL = "workers.jobs.settle_approval"
    POST_REPLY = "workers.act.post_reply"
    SEND_DM = "workers.act.send_dm"
    CHECK_CONVERSATION = "workers.act.check_conversation"
    TELL_PR = "workers.act.tell_pr"
    POST_STATEMENT = "workers.act.post_statement"
    ASK_STATEMENT_APPROVAL = "workers.statements.ask_approval"
    SETTLE_STATEMENT = "workers.statements.settle_request"
    PAGE_STEP = "workers.pages.page_step"
    PAGING_STOPPED = "workers.pages.paging_stopped"
    INCIDENT_CLOSED = "workers.pages.incident_closed"
    JUMP_NOTICE = "workers.pages.jump_notice"
    SETTLE_ROLLED_UP = "workers.jobs.settle_rolled_up"
    REMIND = "workers.timers.remind"
    BREACH = "workers.timers.breach"
    BREACH_STEP = "workers.timers.breach_step"
    LEASE_END = "workers.timers.lease_end"
    TEAMS_CARD = "workers.teams.post_card"
    TEAMS_DRAW = "workers.teams.draw_card"
    TEAMS_NOTE = "workers.teams.post_note"
    TEAMS_SETTLE_PAGES = "workers.teams.settle_pages"
    TEAMS_JUMP_NOTICE = "workers.teams.jump_notice"
    TEAMS_CHECK_CONVERSATION = "workers.teams.check_conversation"
    DAILY_DIGEST = "workers.digest.daily_digest"
    EXPIRE_OLD = "workers.retention.expire_old"

    @property
    def queue(self) -> QueueName:
        if self.value.startswith("workers.pages.") or self is Job.TEAMS_JUMP_NOTICE:
            return QueueName.PAGE  # nothing may delay a page
        if self.value.startswith("workers.act."):
            return QueueName.ACT  # a person is waiting on these
        if self is Job.TRIAGE_BATCH:
            return QueueName.TRIAGE
        return QueueName.NOTIFY


def enqueue(
    client: redis.Redis, job: Job, *args: Any, on: QueueName | None = None, **options: Any
) -> RqJob:
    """Run `job(*args)` as soon as a worker is free (on its own queue, or `on`); results are
    not kept unless asked."""
    options.setdefault("result_ttl", 0)
    return queue(client, on or job.queue).enqueue(job.value, *args, **options)


def enqueue_many(
    client: redis.Redis,
    job: Job,
    calls: list[tuple[tuple[Any, ...], bool]],
    **options: Any,
) -> None:
    """Run `job(*args)` for each `(args, at_front)` in one round trip, on the job's own queue;
    results are not kept unless asked."""
    if not calls:
        return
    options.setdefault("result_ttl", 0)
    on = queue(client, job.queue)
    with client.pipeline() as pipe:
        on.enqueue_many(
            [on.prepare_data(job.value, args, at_front=front, **options) for args, front in calls],
            pipeline=pipe,
        )
        pipe.execute()


def enqueue_at(client: redis.Redis, when: datetime, job: Job, *args: Any, **options: Any) -> RqJob:
    """Run `job(*args)` at `when` (RQ's scheduler counts whole seconds)."""
    options.setdefault("result_ttl", 0)
    return queue(client, job.queue).enqueue_at(when, job.value, *args, **options)


def enqueue_in(client: redis.Redis, wait: timedelta, job: Job, *args: Any, **options: Any) -> RqJob:
    """Run `job(*args)` once `wait` has passed."""
    options.setdefault("result_ttl", 0)
    return queue(client, job.queue).enqueue_in(wait, job.value, *args, **options)


_JOB_ID = re.compile(r"[A-Za-z0-9_-]+")


def job_id(kind: str, subject: str) -> str:
    """An RQ job id for one subject's job: RQ takes letters, digits, "_" and "-" only, and a case
    id from the webhook may hold anything, so such ids are hashed."""
    if _JOB_ID.fullmatch(subject):
        return f"{kind}-{subject}"
    return f"{kind}-h{hashlib.sha1(subject.encode()).hexdigest()[:20]}"


def redraw_fold(client: redis.Redis, channel: str) -> None:
    """Have a channel's "N more waiting" card drawn as its folded cases are when the job runs."""
    enqueue(client, Job.DRAW_FOLD, channel, retry=CHAT_RETRY)


def redraw_card(client: redis.Redis, case_id: str) -> None:
    """Have a case's card redrawn from the case as it is when the job runs.

    The dirty mark says a redraw is queued: a change made while it is set is drawn by that job;
    the job clears the mark before drawing, so a change made after that queues a fresh redraw
    and none is lost.
    """
    if client.set(keys.card_dirty(case_id), "1", nx=True, ex=DIRTY_TTL):
        enqueue(client, Job.REDRAW_CARD, case_id, at_front=True)
