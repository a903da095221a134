"""How a job's failure is told: one line for what Slack refused, not a traceback; no retry for
what only a person can fix, said once with what to do; each line naming the job's subject."""

from __future__ import annotations

import inspect
import logging
from datetime import UTC, datetime
from typing import Any

import redis
from rq import Queue, SimpleWorker
from rq.executions import Execution
from rq.job import Job as RqJob

from bot.slack_client import SlackError
from flare import logs, problems
from flare.queues import QueueName

log = logging.getLogger(__name__)

# A job's parameters that name what it is about, as a log line names them.
_SUBJECT_PARAMS = {"case_id": ("case", "mention"), "incident_id": ("incident",)}


def job_subjects(job: RqJob) -> dict[str, str]:
    """What a job is about, for its log lines: its name, and the case (the mention: a case is
    known by its post's id) or incident it was queued for."""
    try:
        name = str(job.func_name)
        params = list(inspect.signature(job.func).parameters)
    except Exception:  # an unimportable or undeserialisable job: RQ itself will say so
        return {"job": job.id}
    out = {"job": name.rsplit(".", 1)[-1]}
    for param, value in zip(params, job.args, strict=False):
        for subject in _SUBJECT_PARAMS.get(param, ()):
            out[subject] = str(value)
    return out


def tell_slack_error(client: redis.Redis, job: RqJob, exc: SlackError) -> None:
    """One line for a job Slack refused. When no retry can cure it (a channel not found, the
    app not in it, a bad token) the job is not tried again and the problem is kept for
    `flare doctor`; the first worker to meet it says what to do, later ones only count it."""
    what = f"{job_subjects(job)['job']}: Slack refused {exc.method}"
    where = f" in {exc.channel}" if exc.channel else ""
    if not exc.permanent:
        again = "; tried again later" if job.retries_left else ""
        log.warning("%s%s: %s%s", what, where, exc.code, again)
        return
    if job.origin != QueueName.PAGE:  # a page keeps its retries whatever: it may not be lost
        job.retries_left = 0  # the same call would meet the same refusal
    now = datetime.now(UTC)
    if problems.record(client, exc.code, exc.channel, exc.advice, now):
        log.error("%s%s: %s; %s (see `flare doctor`)", what, where, exc.code, exc.advice)
    else:
        log.warning("%s%s: %s again (see `flare doctor`)", what, where, exc.code)


class FlareWorker(SimpleWorker):
    """RQ's in-process worker as Flare runs it: every line a job logs names the job and its
    case or incident, and what Slack refuses is told as `tell_slack_error` says."""

    def perform_job(self, job: RqJob, queue: Queue, execution: Execution | None = None) -> bool:
        with logs.about(**job_subjects(job)):
            return bool(super().perform_job(job, queue, execution))  # type: ignore[arg-type]

    def handle_exception(self, job: RqJob, *exc_info: Any) -> None:
        exc = exc_info[1] if len(exc_info) > 1 else None
        if not isinstance(exc, SlackError):
            super().handle_exception(job, *exc_info)
            return
        tell_slack_error(self.connection, job, exc)
        for handler in self._exc_handlers:  # as RQ's own: a handler returning False ends them
            if handler(job, *exc_info) is False:
                break
