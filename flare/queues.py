"""The RQ queues and how jobs are put on them."""

from __future__ import annotations

from enum import StrEnum

import redis
from rq import Queue

from flare.defaults import JOB_TIMEOUT


class QueueName(StrEnum):
    PAGE = "page"
    URGENT = "urgent"  # triage of the posts the screen at the door picked out
    TRIAGE = "triage"
    NOTIFY = "notify"
    ACT = "act"


# Workers listen in this order: pages first, then a person waiting on an action, then posts
# that may need PR or a lead, then cards, then the other new posts.
WORK_ORDER = (
    QueueName.PAGE,
    QueueName.ACT,
    QueueName.URGENT,
    QueueName.NOTIFY,
    QueueName.TRIAGE,
)


def queue(client: redis.Redis, name: QueueName) -> Queue:
    return Queue(name.value, connection=client, serializer="json", default_timeout=JOB_TIMEOUT)


def all_queues(client: redis.Redis) -> list[Queue]:
    return [queue(client, name) for name in WORK_ORDER]
