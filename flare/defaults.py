"""Flare's fixed numbers in one place: how long marks live, how often jobs are retried."""

from __future__ import annotations

from datetime import timedelta

from rq import Retry

LEASE = timedelta(minutes=30)  # how long a claim holds a case before it is free again
ONCE_TTL = int(timedelta(days=7).total_seconds())  # a reply, DM or escalation sent once per key
TOLD_TTL = int(timedelta(days=30).total_seconds())  # "told once" marks: heads-up, overdue nudge
INCIDENT_EDIT_GAP_MS = 2_000  # an incident card is edited at most this often, however fast it grows
DIRTY_TTL = 60  # seconds: a redraw lost with its worker blocks later redraws no longer than this
SIGNATURE_TTL = 86_400  # seconds an agent's sign-off is cached from their chat profile

# Every job that talks to chat: a Slack or Teams outage delays the work, it does not lose it.
CHAT_RETRY = Retry(max=4, interval=[2, 10, 60, 300])
# A step of a paging chain: retried soon and often, since a page may be neither lost nor late.
PAGE_RETRY = Retry(max=6, interval=[1, 3, 10, 30, 60, 120])
# The check at a case's response target: the nudge may not be lost either.
DUE_RETRY = Retry(max=3, interval=[10, 60, 300])

# Size limits at every door, checked before a body or a line is read whole. One X post with its
# author is 2 to 5 KB as X API v2 JSON; a webhook request carries up to a batch of them.
MAX_LINE_BYTES = 64 * 1024  # one line of a JSON-lines file (`flare replay`, `flare triage`)
MAX_INTAKE_BYTES = 1_000_000  # one POST /intake body (FLARE_INTAKE__WEBHOOK_MAX_BYTES)
MAX_SLACK_BYTES = 1_000_000  # one request to /slack/events (a modal's state is the largest)
KEPT_BYTES = 1024  # of a line refused for its size, the start kept in its dead letter
