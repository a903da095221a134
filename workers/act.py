"""Jobs on the act queue: what agents asked for that talks to X, done once and reported back."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import modals
from bot.card import escape
from bot.casework import Casework
from flare import keys
from flare.incidents import Incidents
from workers.runtime import Runtime, current
from workers.x_client import XError, XRateLimited, XUnavailable

log = logging.getLogger(__name__)

ONCE = int(timedelta(days=7).total_seconds())


def _casework(rt: Runtime) -> Casework:
    if rt.casework is None:
        raise RuntimeError("Slack is not configured: set FLARE_SLACK__BOT_TOKEN")
    return rt.casework


def _agent_channel(rt: Runtime, case_id: str) -> str:
    where = rt.store.card(case_id)
    return where[0] if where else rt.settings.slack.alerts_channel


def post_reply(case_id: str, user: str, text: str, key: str) -> str:
    """Post a public reply once; on refusal tell the agent plainly and keep the case workable."""
    rt = current()
    work = _casework(rt)
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    if rt.x is None:
        work.tell(
            _agent_channel(rt, case_id),
            user,
            "X is not connected (FLARE_X__* settings): "
            "the reply was not posted. Your draft:\n" + text,
        )
        return "no-x"
    if not rt.redis.set(keys.posted(f"reply:{key}"), "1", nx=True, ex=ONCE):
        return "duplicate"  # the same modal submitted twice: posted once
    try:
        tweet_id = rt.x.reply(text, in_reply_to_id=case.mention.id)
    except (XRateLimited, XUnavailable) as exc:
        rt.redis.delete(keys.posted(f"reply:{key}"))
        work.log(case_id, f"X is not taking replies right now ({exc}); Flare will retry.")
        raise  # RQ retries the job with back-off
    except XError as exc:
        rt.redis.delete(keys.posted(f"reply:{key}"))
        work.tell(
            _agent_channel(rt, case_id),
            user,
            f"X refused the reply: {exc}. The case is still yours. Your draft:\n{text}",
        )
        rt.store.audit(case_id, user, "reply-refused", error=str(exc))
        return "refused"
    rt.store.note(case_id, user, "reply", reply_id=tweet_id, replied_by=user)
    work.redraw(case_id)
    work.log(case_id, f"<@{user}> replied on X: https://x.com/i/status/{tweet_id}")
    return tweet_id


def send_dm(case_id: str, user: str, text: str, key: str) -> str:
    """Send the customer a direct message once; X's errors reach the agent in plain words."""
    rt = current()
    work = _casework(rt)
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    channel = _agent_channel(rt, case_id)
    if rt.x is None:
        work.tell(channel, user, "X is not connected: the DM was not sent. Your draft:\n" + text)
        return "no-x"
    if not rt.redis.set(keys.posted(f"dm:{key}"), "1", nx=True, ex=ONCE):
        return "duplicate"
    try:
        event_id = rt.x.send_dm(case.mention.author.id, text)
    except (XRateLimited, XUnavailable) as exc:
        rt.redis.delete(keys.posted(f"dm:{key}"))
        work.log(case_id, f"X is not taking DMs right now ({exc}); Flare will retry.")
        raise
    except XError as exc:
        rt.redis.delete(keys.posted(f"dm:{key}"))
        work.tell(
            channel,
            user,
            f"X refused the DM: {exc}. The case is still open; you could "
            f"reply in public asking them to follow and DM us. Your draft:\n{text}",
        )
        rt.store.audit(case_id, user, "dm-refused", error=str(exc))
        return "refused"
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


def escalate(case_id: str, user: str, topic: str, severity: str, note: str) -> str:
    """Open or join the topic's incident and tell PR, naming who is on call for it."""
    rt = current()
    work = _casework(rt)
    case = rt.store.get(case_id)
    if case is None:
        return "missing"
    opened = Incidents(rt.redis).join(topic, case_id, rt.clock())
    rt.store.note(case_id, user, "escalate", escalated_to=topic)
    contacts = rt.crisis_contacts(topic)
    who = ", ".join(contacts) or "the PR team (no crisis contacts in the playbook)"
    lines = [
        f"🚨 *{'New incident' if opened else 'Joined incident'}: {escape(topic)}* "
        f"({severity}) escalated by <@{user}>",
        f"Contacts for {escape(topic)}: {who}",
        f"*@{escape(case.mention.author.username)}:* {escape(case.mention.text[:500])}",
        f"<{escape(case.mention.url)}|Open on X>",
    ]
    if note:
        lines.append(f"Note: {escape(note)}")
    work.slack.post_card(
        rt.settings.slack.pr_channel,
        [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}],
        f"Escalated to PR: {topic}",
    )
    rt.store.count("escalations")
    work.redraw(case_id)
    work.log(case_id, f"<@{user}> escalated this case to PR ({topic}, {severity}).")
    return "opened" if opened else "joined"
