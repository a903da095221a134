"""Every background job is named once, and every name leads to a function RQ can run."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import redis

from flare.jobs import Job, enqueue_many, job_id
from flare.queues import QueueName, queue

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "cli", "flare", "rules", "workers")


@pytest.mark.parametrize("job", list(Job))
def test_every_job_name_leads_to_a_function(job: Job) -> None:
    module, _, name = job.value.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name, None)), job.value


def test_jobs_a_person_waits_on_run_on_their_own_queue() -> None:
    assert Job.POST_REPLY.queue is QueueName.ACT
    assert Job.TRIAGE_BATCH.queue is QueueName.TRIAGE
    assert Job.REDRAW_CARD.queue is QueueName.NOTIFY


def test_no_job_is_named_by_a_string_outside_the_one_place() -> None:
    written = re.compile(r"""["']workers\.(jobs|act)\.\w+["']""")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        if path != ROOT / "flare" / "jobs.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if written.search(line)
    ]
    assert found == []


def test_a_case_id_rq_would_refuse_is_hashed_into_a_job_id() -> None:
    assert job_id("due", "1861") == "due-1861"
    hashed = job_id("due", "webhook:42/a b")
    assert re.fullmatch(r"due-h[0-9a-f]{20}", hashed)


def test_many_jobs_go_on_their_queue_in_one_call_the_urgent_ones_first(
    redis_client: redis.Redis,
) -> None:
    calls = [(("c1",), False), (("c2",), True), (("c3",), False)]

    enqueue_many(redis_client, Job.NOTIFY_CASE, calls)

    waiting = queue(redis_client, Job.NOTIFY_CASE.queue).get_jobs()
    assert [list(j.args) for j in waiting] == [["c2"], ["c1"], ["c3"]]
    assert {j.func_name for j in waiting} == {Job.NOTIFY_CASE.value}
