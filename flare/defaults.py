"""Flare's fixed numbers in one place: how long marks live, how often jobs are retried."""

from __future__ import annotations

from datetime import timedelta

from rq import Retry

LEASE = timedelta(minutes=30)  # how long a claim holds a case before it is free again
ONCE_TTL = int(timedelta(days=7).total_seconds())  # a reply, DM or escalation sent once per key
TOLD_TTL = int(timedelta(days=30).total_seconds())  # "told once" marks: heads-up, overdue nudge
# A channel Slack cannot take posts for (down, 5xx): its cards wait in its backlog and the drain
# tries again after 5 s, doubling to at most 5 min, for as long as the outage lasts.
OUTAGE_FIRST_WAIT = 5.0
OUTAGE_MOST_WAIT = 300.0
DRAINING_TTL = 60  # seconds: a drain job lost with its worker holds up a channel no longer
DIRTY_TTL = 60  # seconds: a redraw lost with its worker blocks later redraws no longer than this
SIGNATURE_TTL = 86_400  # seconds an agent's sign-off is cached from their chat profile
TRIAGE_PENDING_TTL = 86_400  # seconds a batch's stored-not-acted list waits for its retries

# Workers. A job's worker beats its heart while the job runs; when the beats stop (the process
# died, the container was killed) a live worker takes the job back after JOB_HEARTBEAT_TTL.
JOB_HEARTBEAT_EVERY = 2.0  # seconds between a running job's heartbeats
JOB_HEARTBEAT_TTL = 10  # seconds a job counts as running after its last heartbeat
MAINTENANCE_EVERY = 2  # seconds between a worker's looks for abandoned jobs
WORKER_POLL = 2  # seconds an idle worker waits on its queues before it looks around again
SCHEDULER_TICK = 0.2  # seconds between moves of due jobs onto their queues
SCHEDULER_LOCK_MS = 3_000  # a dead scheduler's lock is free again after this
# The longest any job may run before RQ interrupts it (RQ's own default, written down here so
# that a deployment's stop grace can be longer: deploy/k8s, checked by tests/deploy). Jobs take
# well under a second; a slow Slack or X answer is cut off by its client's timeout long before.
JOB_TIMEOUT = 180

# Every job that talks to chat: a Slack or Teams outage delays the work, it does not lose it.
CHAT_RETRY = Retry(max=4, interval=[2, 10, 60, 300])
# A step of a paging chain: retried soon and often, since a page may be neither lost nor late.
PAGE_RETRY = Retry(max=6, interval=[1, 3, 10, 30, 60, 120])
# Triage of a batch: a worker that died with the batch in hand leaves it to be triaged again.
TRIAGE_RETRY = Retry(max=3, interval=[1, 5, 30])
# The check at a case's response target: the nudge may not be lost either.
DUE_RETRY = Retry(max=3, interval=[10, 60, 300])

# Size limits at every door, checked before a body or a line is read whole. One X post with its
# author is 2 to 5 KB as X API v2 JSON; a webhook request carries up to a batch of them.
MAX_LINE_BYTES = 64 * 1024  # one line of a JSON-lines file (`flare replay`, `flare triage`)
MAX_INTAKE_BYTES = 1_000_000  # one POST /intake body (FLARE_INTAKE__WEBHOOK_MAX_BYTES)
MAX_SLACK_BYTES = 1_000_000  # one request to /slack/events (a modal's state is the largest)
KEPT_BYTES = 1024  # of a line refused for its size, the start kept in its dead letter

# Stopping. Docker and Kubernetes send SIGKILL 10 s after SIGTERM unless told otherwise: a
# process finishes what it acknowledged within this, then exits.
STOP_GRACE = 8.0  # seconds from SIGTERM to exit for the work in hand (the bot's listeners)
