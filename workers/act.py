"""Jobs on the act queue: what agents asked for that talks to X, done once and reported back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot import modals
from bot.card import escape, fit, link
from bot.casework import Casework
from flare import keys
from flare.case import Case
from flare.incidents import Incidents
from flare.queues import QueueName, queue
from workers.jobs import post_message
from workers.runtime import Runtime, current
from workers.x_client import XClient, XError, XForbidden, XRateLimited, XUnavailable

log = logging.getLogger(__name__)

ONCE = int(timedelta(days=7).total_seconds())
RESET_MARGIN = 5  # seconds after X's rate limit resets before a held reply or DM is tried again


def _casework(rt: Runtime) -> Casework:
    if rt.casework is None:
        raise RuntimeError("Slack is not configured: set FLARE_SLACK__BOT_TOKEN")
    return rt.casework


def _agent_channel(rt: Runtime, case_id: str) -> str:
    where = rt.store.card(case_id)
    return where[0] if where else rt.settings.slack.alerts_channel


def _quote(text: str) -> str:
    return "\n>" + escape(text).replace("\n", "\n>")


def _again_at(rt: Runtime, exc: XRateLimited) -> datetime:
    """When to try again after X's 429: its reset time, or a minute from now if it gave none."""
    now = rt.clock()
    reset = exc.reset_at or now + timedelta(minutes=1)
    return max(reset, now) + timedelta(seconds=RESET_MARGIN)


Args = tuple[str, str, str, str]
"""A reply or DM job's arguments: case id, agent, text, and the modal's once-only key."""


def _send(
    job: str, what: str, args: Args, call: Callable[[XClient, Case], str]
) -> tuple[Runtime, Casework, str] | str:
    """What post_reply and send_dm share: the case, X, the once-only mark, and X's answer.

    Returns the runtime, the casework and what X sent, or the outcome when nothing was sent.
    """
    case_id, user, text, key = args
    rt = current()
    work = _casework(rt)
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    channel = _agent_channel(rt, case_id)
    if rt.x is None:
        work.tell(
            channel,
            user,
            f"X is not connected (FLARE_X__* settings): the {what} was not sent. "
            f"Your draft:{_quote(text)}",
        )
        return "no-x"
    if not rt.redis.set(keys.posted(f"{job}:{key}"), "1", nx=True, ex=ONCE):
        return "duplicate"  # the same modal submitted twice: sent once
    try:
        return rt, work, call(rt.x, case)
    except XError as exc:
        return _failed(rt, work, channel, exc, job, args, what)


def _failed(
    rt: Runtime, work: Casework, channel: str, exc: XError, job: str, args: Args, what: str
) -> str:
    """Say plainly what X did with a reply or DM; keep the case as it was and the draft safe."""
    case_id, user, text, key = args
    rt.store.audit(case_id, user, f"{job}-failed", error=str(exc))
    if isinstance(exc, XRateLimited):
        rt.redis.delete(keys.posted(f"{job}:{key}"))
        when = _again_at(rt, exc)
        queue(rt.redis, QueueName.ACT).enqueue_at(when, f"workers.act.{job}", *args, result_ttl=0)
        work.tell(
            channel,
            user,
            f"X is limiting how many {what}s Flare may send. Yours is kept and goes out "
            f"at {when:%H:%M} UTC, when the limit resets; the case stays yours meanwhile.",
        )
        work.log(case_id, f"X rate limit: the {what} is queued for {when:%H:%M} UTC.")
        return "rate-limited"
    if isinstance(exc, XUnavailable):
        # X may have taken it before failing: never send blindly again (the hint stays pending).
        work.tell(
            channel,
            user,
            f"X did not answer ({escape(str(exc))}), so the {what} may or may not have gone out. "
            f"Check on X before sending it again; the case is still yours. "
            f"Your draft:{_quote(text)}",
        )
        return "unknown"
    rt.redis.delete(keys.posted(f"{job}:{key}"))
    work.tell(
        channel,
        user,
        f"X refused the {what}: {escape(str(exc))}. Nothing was sent and the case is still "
        f"yours to act on. Your draft:{_quote(text)}",
    )
    return "refused"


def post_reply(case_id: str, user: str, text: str, key: str) -> str:
    """Post a public reply once; on refusal tell the agent plainly and keep the case workable."""

    def reply(x: XClient, case: Case) -> str:
        return x.reply(text, in_reply_to_id=case.mention.id, hint=f"reply:{key}")

    sent = _send("post_reply", "reply", (case_id, user, text, key), reply)
    if isinstance(sent, str):
        return sent
    rt, work, tweet_id = sent
    rt.store.note(case_id, user, "reply", reply_id=tweet_id, replied_by=user)
    work.redraw(case_id)
    work.log(case_id, f"<@{user}> replied on X: https://x.com/i/status/{tweet_id}")
    return tweet_id


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

    sent = _send("send_dm", "DM", (case_id, user, text, key), dm)
    if isinstance(sent, str):
        return sent
    rt, work, event_id = sent
    rt.store.note(case_id, user, "dm", dm_by=user)
    work.redraw(case_id)
    work.log(case_id, f"<@{user}> sent a direct message on X.")
    return event_id


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
        work = _casework(rt)
        draft = work.drafter(case, "reply") if work.drafter else ""
        notice = (
            "The brand already replied in this conversation. Post again only if it adds something."
        )
        view = modals.reply_modal(
            case, draft, work.check_line(draft, user), notice=notice, ask_confirm=True
        )
        work.slack.update_view(view_id, view)
    return answered


def escalate(case_id: str, user: str, topic: str, severity: str, note: str, key: str = "") -> str:
    """Open or join the topic's incident and tell PR, naming who is on call for it."""
    rt = current()
    work = _casework(rt)
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    if key and not rt.redis.set(keys.posted(f"escalate:{key}"), "1", nx=True, ex=ONCE):
        return "duplicate"
    opened = Incidents(rt.redis).join(topic, case_id, rt.clock())
    rt.store.note(case_id, user, "escalate", escalated_to=topic)
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
    post_message(
        rt.settings.slack.pr_channel,
        [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}],
        f"Escalated to PR: {topic}",
    )
    rt.store.count("escalations")
    work.redraw(case_id)
    work.log(
        case_id, f"<@{user}> escalated this case to PR ({fit(topic, 100)}, {fit(severity, 20)})."
    )
    return "opened" if opened else "joined"
