"""Jobs on the page queue: each step of an incident's chain, sent to chat, the pager and email.

A step is claimed in Redis before anything is sent (flare.incidents), the next step is scheduled
before the sending starts, and each channel is marked once sent, so a retried step sends nothing
twice and a failing channel never stalls the chain. A step whose incident was acknowledged or
closed, or that a later step or a pass replaced, pages nobody.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

import redis
from rq.exceptions import DuplicateJobError

from bot import incident_card
from bot.slack_client import SlackError
from flare import keys
from flare.defaults import CHAT_RETRY, ONCE_TTL, PAGE_RETRY
from flare.incidents import CLOSED_TTL, Incident
from flare.jobs import Job, enqueue, enqueue_at, job_id
from flare.paging import audit_id
from rules.crisis import Step
from workers import teams
from workers.runtime import Runtime, current

log = logging.getLogger(__name__)


def page_step(topic: str, incident_id: str, step: int, token: str) -> str:
    """Page the contact at step `step` of the incident's chain, if that step is still due."""
    rt = current()
    incidents = rt.paging.incidents
    status, successor = incidents.claim_step(topic, incident_id, step, token)
    if status not in ("go", "resume"):
        return status  # acknowledged, closed, or replaced by a later step or a pass
    incident = incidents.get(topic)
    if incident is None or incident.chain is None:
        return "gone"
    now = rt.clock()
    due = incident.chain.step(step)
    if due is None:
        _nobody_acknowledged(rt, incident, step, token)
        return "spent"
    with contextlib.suppress(DuplicateJobError):  # a retried step schedules its successor once
        enqueue_at(
            rt.redis,
            now + due.ack_within,
            Job.PAGE_STEP,
            topic,
            incident_id,
            step + 1,
            successor,
            job_id=job_id(f"page{step + 1}", incident_id),
            unique=True,
            retry=PAGE_RETRY,
        )
    sent, failed = _page(rt, incident, step, token, due)
    if status == "go":  # the step's first try: counted and audited once
        incidents.paged(topic, due.contact.name, now)
        rt.store.count("pages")
        rt.store.audit(
            audit_id(incident_id), "flare", "page", step=step, contact=due.contact.name, sent=sent
        )
    elif sent:  # a retry that sent what its first try could not
        rt.store.audit(
            audit_id(incident_id),
            "flare",
            "page-resent",
            step=step,
            contact=due.contact.name,
            sent=sent,
        )
    rt.paging.redraw(topic)
    log.info("page %d of %s sent to %s by %s", step, topic, due.contact.name, sent or "nothing")
    if failed:  # the retry sends on these channels alone: the others are marked sent
        raise failed[0]
    return sent or "nothing to send"


def _page(
    rt: Runtime, incident: Incident, step: int, token: str, due: Step
) -> tuple[str, list[Exception]]:
    """Send one step on every channel the contact and the settings allow, each whatever
    befalls the others (a DM Slack refuses must not hold back the pager); returns the
    channels it went on, and what failed."""
    contact, sent = due.contact, []
    failed: list[Exception] = []

    def on(channel: str, send: Callable[[], None]) -> None:
        try:
            if _once(rt, incident, token, channel, send):
                sent.append(channel)
        except Exception as exc:
            log.warning("page %d of %s: %s failed: %s", step, incident.topic, channel, exc)
            failed.append(exc)

    total = len(incident.chain.steps) if incident.chain else 0
    summary = incident_card.page_summary(incident)
    if rt.slack is not None:
        slack = rt.slack

        def dm() -> None:
            blocks, text = incident_card.page_blocks(incident, contact, step, total, due)
            posted = slack.client.post_card(slack.client.open_dm(contact.slack), blocks, text)
            try:  # what the close edits later; the DM went, so a failure here must not resend it
                pages = keys.incident_pages(incident.id)
                rt.redis.rpush(pages, f"{posted.channel}|{posted.ts}")
                rt.redis.expire(pages, CLOSED_TTL)
            except redis.RedisError as exc:
                log.warning(
                    "page %d of %s: DM sent, not noted for the close: %s", step, incident.topic, exc
                )

        def pr_line() -> None:
            line = incident_card.paging_line(incident, contact, step, total)
            _to_pr_channel(rt, line, paging=incident)

        # each its own mark: a failed PR-channel line retried never sends the DM again
        if contact.slack:
            on("dm", dm)
        on("pr-channel", pr_line)
    if rt.pager is not None and rt.pager.enabled:
        pager = rt.pager

        def page() -> None:
            pager.trigger(
                incident.id,
                summary,
                source="flare",
                details={"topic": incident.topic, "paged": contact.name, "step": str(step + 1)},
            )

        on("pager", page)
    if contact.email and rt.mailer is not None and rt.mailer.enabled:
        mailer = rt.mailer

        def mail() -> None:
            mailer.send(contact.email, f"[Flare] {summary}", incident_card.page_email(incident))

        on("email", mail)
    # last: a personal chat with Flare not yet installed is the likeliest to fail
    if rt.teams is not None and rt.teams.reaches(contact.slack):
        surface = rt.teams

        def personal() -> None:
            surface.page(incident, contact, step, total, due)

        on("teams", personal)
    return ",".join(sent), failed


def _once(
    rt: Runtime, incident: Incident, token: str, channel: str, send: Callable[[], None]
) -> bool:
    """Send on one channel once per step, and never once the incident is acknowledged or closed
    (nor once another incident has opened on the topic since); a failure clears the mark and
    raises, so the job's retry sends it."""
    now_open = rt.redis.hmget(keys.incident(incident.topic), "id", "state")
    if now_open != [incident.id.encode(), b"open"]:
        return False
    mark = keys.page_sent(incident.id, token, channel)
    if not rt.redis.set(mark, "1", nx=True, ex=ONCE_TTL):
        return False
    try:
        send()
    except Exception:
        rt.redis.delete(mark)
        raise
    return True


def _to_pr_channel(rt: Runtime, line: str, paging: Incident | None = None) -> None:
    """A line for PR's channel, posted within the channel's send budget by the chat lane: the
    page itself (DM, pager, email) goes out at once, the line follows at the channel's pace.
    A page's own line (`paging`) is dropped if the incident is acknowledged or closed first."""
    guard = [paging.topic, paging.id] if paging is not None else None
    channel = rt.settings.slack.pr_channel
    enqueue(rt.redis, Job.POST_MESSAGE, channel, [], line, guard, retry=CHAT_RETRY)


def _nobody_acknowledged(rt: Runtime, incident: Incident, step: int, token: str) -> None:
    """The chain ran out: PR's channel and the leads hear that nobody acknowledged, once."""
    mark = keys.page_sent(incident.id, token, "spent")
    if not rt.redis.set(mark, "1", nx=True, ex=ONCE_TTL):
        return
    rt.store.audit(audit_id(incident.id), "flare", "nobody-acknowledged", pages=step)
    if rt.slack is None:
        return
    line = incident_card.nobody_line(incident, step, rt.settings.slack.leads)
    _to_pr_channel(rt, line)


def jump_notice(topic: str, incident_id: str, user: str, why: str) -> str:
    """Tell whoever acknowledged that the incident jumped: acknowledge again, or the chain
    starts over when the first step's time is up."""
    rt = current()
    incident = rt.paging.incidents.get(topic)
    if incident is None or incident.id != incident_id or incident.acknowledged:
        return "settled"  # closed, or acknowledged again already
    teams.ask_again(rt.redis, topic, incident_id, user, why)
    if rt.slack is None:
        return "no-slack"
    rearmed = rt.redis.hget(keys.incident(topic), "token") or b""
    mark = keys.page_sent(incident_id, rearmed.decode(), "jump")
    if not rt.redis.set(mark, "1", nx=True, ex=ONCE_TTL):
        return "told"
    try:
        blocks, text = incident_card.jump_blocks(incident, why)
        dm = rt.slack.client.open_dm(user)
        posted = rt.slack.client.post_card(dm, blocks, text)
        rt.redis.rpush(keys.incident_pages(incident_id), f"{posted.channel}|{posted.ts}")
        _to_pr_channel(rt, incident_card.jump_line(incident, user, why), paging=incident)
    except SlackError:
        rt.redis.delete(mark)
        raise
    return "told"


def paging_stopped(topic: str, incident_id: str, user: str) -> str:
    """After an acknowledgement: the pager is told, the pages lose their buttons, PR hears who."""
    rt = current()
    if rt.teams is not None:
        teams.pages_settled(rt.redis, incident_id, teams.acknowledged(topic, user))
    if rt.pager is not None and rt.pager.enabled:
        rt.pager.acknowledge(incident_id)
    if rt.slack is not None:
        _settle_pages(rt, incident_id, incident_card.acknowledged_line(topic, user))
        _to_pr_channel(rt, incident_card.acknowledged_line(topic, user))
    return "stopped"


def incident_closed(topic: str, incident_id: str, user: str, summary: str) -> str:
    """After a close: the pager resolved, the incident card and the pages closed, PR told."""
    rt = current()
    if rt.teams is not None:
        teams.pages_settled(rt.redis, incident_id, teams.closed(topic, user))
    if rt.pager is not None and rt.pager.enabled:
        rt.pager.resolve(incident_id)
    if rt.slack is None:
        return "closed"
    line = incident_card.closed_line(topic, user, summary)
    _settle_pages(rt, incident_id, line)
    where = rt.redis.hgetall(keys.incident_card(topic))
    if where:
        channel, ts = where[b"channel"].decode(), where[b"ts"].decode()
        with contextlib.suppress(SlackError):  # the card may have been deleted
            rt.slack.client.update_card(channel, ts, incident_card.closed_blocks(line), line)
        rt.redis.delete(keys.incident_card(topic))
    _to_pr_channel(rt, line)
    return "closed"


def _settle_pages(rt: Runtime, incident_id: str, line: str) -> None:
    """Take the buttons off every page this incident sent, saying what became of it."""
    assert rt.slack is not None
    for raw in rt.redis.lrange(keys.incident_pages(incident_id), 0, -1):
        channel, _, ts = raw.decode().partition("|")
        with contextlib.suppress(SlackError):
            rt.slack.client.update_card(channel, ts, incident_card.closed_blocks(line), line)
