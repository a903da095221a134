"""Jobs on the act queue: what agents asked for that talks to X, done once and reported back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import incident_card, modals
from bot.incident_card import quoted
from bot.mrkdwn import escape, fit, link, say
from bot.slack_surface import SlackSurface
from flare import keys
from flare.case import Case
from flare.defaults import ONCE_TTL
from flare.jobs import Job, enqueue_at
from flare.paging import audit_id
from flare.words import Outside, Quote, words
from workers.jobs import post_message
from workers.runtime import Runtime, current
from workers.statements import say_in_thread
from workers.x_client import XClient, XError, XForbidden, XRateLimited, XUnavailable

log = logging.getLogger(__name__)

RESET_MARGIN = 5  # seconds after X's rate limit resets before a held reply or DM is tried again


def _slack(rt: Runtime) -> SlackSurface:
    if rt.slack is None:
        raise RuntimeError("Slack is not configured: set FLARE_SLACK__BOT_TOKEN")
    return rt.slack


def _agent_channel(rt: Runtime, case_id: str) -> str:
    """Where the agent works on the case: its card's channel, else the channel it is routed to."""
    where = rt.store.card(case_id)
    if where:
        return where[0]
    case = rt.store.get(case_id)
    slack = rt.settings.slack
    return slack.channel_for(case.decision) if case else slack.alerts_channel


def _again_at(rt: Runtime, exc: XRateLimited) -> datetime:
    """When to try again after X's 429: its reset time, or a minute from now if it gave none."""
    now = rt.clock()
    reset = exc.reset_at or now + timedelta(minutes=1)
    return max(reset, now) + timedelta(seconds=RESET_MARGIN)


Args = tuple[str, str, str, str]
"""A reply or DM job's arguments: case id, agent, text, and the modal's once-only key."""


@dataclass(frozen=True)
class Sent:
    id: str  # what X gave the reply or DM


def _send(job: Job, what: str, args: Args, call: Callable[[XClient, Case], str]) -> Sent | str:
    """What post_reply and send_dm share: the case, X, the once-only mark, and X's answer.

    Returns what X sent, or the outcome when nothing was sent (the agent is told why).
    """
    case_id, user, text, key = args
    rt = current()
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    if rt.x is None:
        not_sent = f"X is not connected (FLARE_X__* settings): the {what} was not sent. "
        _tell(rt, case_id, user, not_sent + "Your draft:", Quote(text))
        return "no-x"
    mark = keys.posted(f"{job.name.lower()}:{key}")
    if not rt.redis.set(mark, "1", nx=True, ex=ONCE_TTL):
        return "duplicate"  # the same form submitted twice: sent once
    try:
        return Sent(call(rt.x, case))
    except XError as exc:
        return _failed(rt, exc, job, args, what, mark)


def _tell(rt: Runtime, case_id: str, user: str, *said: str | Quote | Outside) -> None:
    """Tell the agent, in the channel of the case's card, what became of what they asked for."""
    _slack(rt).tell(_agent_channel(rt, case_id), user, words(*said))


def _failed(rt: Runtime, exc: XError, job: Job, args: Args, what: str, mark: str) -> str:
    """Say plainly what X did with a reply or DM; keep the case as it was and the draft safe."""
    case_id, user, text, _ = args
    rt.store.audit(case_id, user, f"{job.name.lower()}-failed", error=str(exc))
    if isinstance(exc, XRateLimited):
        rt.redis.delete(mark)
        when = _again_at(rt, exc)
        enqueue_at(rt.redis, when, job, *args)
        _tell(
            rt,
            case_id,
            user,
            f"X is limiting how many {what}s Flare may send. Yours is kept and goes out "
            f"at {when:%H:%M} UTC, when the limit resets; the case stays yours meanwhile.",
        )
        line = f"X rate limit: the {what} is queued for {when:%H:%M} UTC."
        rt.casework.note(case_id, words(line))
        return "rate-limited"
    if isinstance(exc, XUnavailable):
        # X may have taken it before failing: never send blindly again (the hint stays pending).
        _tell(
            rt,
            case_id,
            user,
            "X did not answer (",
            Outside(str(exc)),
            f"), so the {what} may or may not have gone out. "
            "Check on X before sending it again; the case is still yours. Your draft:",
            Quote(text),
        )
        return "unknown"
    rt.redis.delete(mark)
    _tell(
        rt,
        case_id,
        user,
        f"X refused the {what}: ",
        Outside(str(exc)),
        ". Nothing was sent and the case is still yours to act on. Your draft:",
        Quote(text),
    )
    return "refused"


def post_reply(case_id: str, user: str, text: str, key: str) -> str:
    """Post a public reply once; on refusal tell the agent plainly and keep the case workable."""

    def reply(x: XClient, case: Case) -> str:
        return x.reply(text, in_reply_to_id=case.mention.id, hint=f"reply:{key}")

    sent = _send(Job.POST_REPLY, "reply", (case_id, user, text, key), reply)
    if isinstance(sent, Sent):
        current().casework.replied(case_id, user, sent.id)
        log.info("reply sent on X as post %s, by %s", sent.id, user)
        return sent.id
    return sent


def send_dm(case_id: str, user: str, text: str, key: str) -> str:
    """Send the customer a direct message once; X's errors reach the agent in plain words."""

    def dm(x: XClient, case: Case) -> str:
        try:
            return x.send_dm(case.mention.author.id, text, hint=f"dm:{key}")
        except XForbidden as exc:
            raise XForbidden(
                f"{exc.reason} (their DMs may be closed to us: a short public reply asking "
                "them to follow and DM us is the usual way round)",
                exc.status or 403,
            ) from exc

    sent = _send(Job.SEND_DM, "DM", (case_id, user, text, key), dm)
    if isinstance(sent, Sent):
        current().casework.dm_sent(case_id, user)
        log.info("DM sent on X, by %s", user)
        return sent.id
    return sent


def check_conversation(case_id: str, view_id: str, user: str) -> bool:
    """Tell the agent in the open reply modal if the brand already answered this conversation."""
    rt = current()
    case = rt.store.get(case_id)
    if case is None or rt.x is None or not view_id:
        return False
    conversation = case.mention.conversation_id or case.mention.id
    try:
        answered = rt.x.has_brand_replied(conversation)
    except XError as exc:
        log.warning("could not check conversation %s: %s", conversation, exc)
        return False
    if answered:
        slack = _slack(rt)
        actor = slack.actor(user, named=True)
        form = rt.casework.reply_form(case_id, actor).form
        draft = form.draft if form else ""
        notice = (
            "The brand already replied in this conversation. Post again only if it adds something."
        )
        if form and form.notice:  # an incident is open on the topic too: keep saying so
            notice = f"{say(form.notice)} {notice}"
        view = modals.reply_modal(
            case, draft, rt.casework.check_line(draft, actor), notice=notice, ask_confirm=True
        )
        slack.client.update_view(view_id, view)
    return answered


def tell_pr(case_id: str, user: str, topic: str, severity: str, note: str, opened: bool) -> str:
    """Tell PR in its channel that a case was escalated, naming who is on call for the topic."""
    rt = current()
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    contacts = [c if c.startswith("<@") else escape(c) for c in rt.crisis_contacts(topic)]
    who = fit(", ".join(contacts), 400) or "the PR team (no crisis contacts in the playbook)"
    # One section holds at most 3,000 characters: every outside piece gets its share.
    lines = [
        f"🚨 *{'New incident' if opened else 'Joined incident'}: {fit(topic, 100)}* "
        f"({fit(severity, 20)}) escalated by <@{user}>",
        f"Contacts for {fit(topic, 100)}: {who}",
        f"*@{fit(case.mention.author.username or case.mention.author.id, 60)}:* "
        f"{fit(case.mention.text, 1000)}",
        link(case.mention.url, "Open on X"),
    ]
    if note:
        lines.append(f"Note: {fit(note, 1000)}")
    return post_message(
        rt.settings.slack.pr_channel,
        [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}],
        f"Escalated to PR: {topic}",
    )


def post_statement(
    topic: str, incident_id: str, draft_id: str, author: str, approver: str, text: str
) -> str:
    """Post an approved statement on X as a post of its own, once per draft (X's hint holds even
    if this job runs twice), and link it on the incident."""
    rt = current()
    statements = rt.statements
    args = (topic, incident_id, draft_id, author, approver, text)
    if rt.x is None:
        _statement_not_sent(
            rt, topic, incident_id, "X is not connected (FLARE_X__* settings)", text
        )
        return "no-x"
    try:
        post_id = rt.x.post(text, hint=f"statement:{incident_id}:{draft_id}")
    except XRateLimited as exc:
        when = _again_at(rt, exc)
        enqueue_at(rt.redis, when, Job.POST_STATEMENT, *args)
        _incident_line(rt, topic, f"X rate limit: the statement goes out at {when:%H:%M} UTC.")
        return "rate-limited"
    except XUnavailable as exc:
        why = f"X did not answer ({exc}), so it may or may not be on X: check before drafting again"
        _statement_not_sent(rt, topic, incident_id, why, text)
        return "unknown"
    except XError as exc:
        _statement_not_sent(rt, topic, incident_id, f"X refused it ({exc}): draft it again", text)
        return "refused"
    update = statements.posted(topic, incident_id, post_id, author, approver)
    _incident_line(rt, topic, incident_card.statement_line(post_id, approver, update))
    return post_id


def _statement_not_sent(rt: Runtime, topic: str, incident_id: str, why: str, text: str) -> None:
    rt.store.audit(audit_id(incident_id), "flare", "statement-failed", error=why)
    _incident_line(rt, topic, f"⚠️ The statement was not posted: {escape(why)}.\n{quoted(text)}")


def _incident_line(rt: Runtime, topic: str, line: str) -> None:
    if rt.slack is not None:
        say_in_thread(rt, topic, line)
