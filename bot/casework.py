"""What a click or a modal does: check, change the case, redraw the card, queue slow work."""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from rq import Retry
from rq.exceptions import DuplicateJobError

from bot import card, modals
from bot.draft import DraftCheck, with_signature
from bot.slack_client import SlackClient, SlackError
from bot.team import Team, needs_approval
from flare import keys
from flare.case import Case, CaseState
from flare.queues import QueueName, queue
from flare.store import ClaimResult, Store

Clock = Callable[[], datetime]
Checker = Callable[[str, bool], DraftCheck]  # (text with signature, public) -> check
Drafter = Callable[[Case, str], str]  # (case, template kind) -> pre-filled draft


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Answer:
    """What a modal submission comes to: errors to show in the modal (by input block), or none,
    and the work that can wait until Slack has had its answer (redraws, thread lines)."""

    errors: dict[str, str] | None = None
    then: Callable[[], None] | None = None


@dataclass
class Casework:
    store: Store
    slack: SlackClient
    team: Team = field(default_factory=Team)
    clock: Clock = utcnow
    topics: tuple[str, ...] = ()
    check_draft: Checker | None = None
    drafter: Drafter | None = None
    signature_format: str = "^{initials}"
    redraw_gap_ms: int = 1000  # at most one chat.update per card this often (0: no throttle)

    @property
    def redis(self) -> redis.Redis:
        return self.store.redis

    # shared ----------------------------------------------------------------
    def tell(self, channel: str, user: str, text: str) -> None:
        self.slack.post_ephemeral(channel, user, text)

    def refuse(self, case_id: str, user: str, channel: str, what: str, why: str = "agent") -> None:
        self.store.audit(case_id, user, "refused", attempted=what)
        self.tell(channel, user, self.team.refusal(why))

    def refused(self, view: dict[str, Any], user: str) -> Answer:
        """A modal submitted by someone who may not act: said in the modal, then audited."""
        case_id, _ = modals.case_of(view)
        inputs = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]
        return Answer(
            {inputs[0]: self.team.refusal("agent")} if inputs else None,
            then=lambda: self.store.audit(case_id, user, "refused", attempted=view["callback_id"]),
        )

    def redraw(self, case_id: str) -> None:
        """Show the case's state on its card: now if the card was not drawn a moment ago, else
        once by a queued job, which folds every change made meanwhile into one update.

        The dirty mark says a redraw is queued: a change made while it is set is drawn by that
        job (it reads the case when it draws); the job clears the mark before drawing, so a
        change made after that queues a fresh redraw and none is lost.
        """
        gap = self.redraw_gap_ms
        if gap <= 0 or self.redis.set(keys.card_drawn(case_id), "1", nx=True, px=gap):
            self.draw(case_id)
            return
        if self.redis.set(keys.card_dirty(case_id), "1", nx=True, ex=DIRTY_TTL):
            queue(self.redis, QueueName.NOTIFY).enqueue(
                "workers.jobs.redraw_card", case_id, result_ttl=0, at_front=True
            )

    def draw(self, case_id: str) -> None:
        """Update the card from the case as it is in Redis now (retired if the case is gone)."""
        where = self.store.card(case_id)
        if where is None:
            return
        case = self.store.get(case_id)
        if case is None:
            self.slack.update_card(*where, card.gone(case_id), GONE)
            return
        blocks, text = card.render(case, self.clock())
        self.slack.update_card(where[0], where[1], blocks, text)

    def has(self, case_id: str) -> bool:
        return bool(self.redis.hexists(keys.case(case_id), "mention"))

    def gone(self, case_id: str, user: str, channel: str, ts: str) -> None:
        """A click on the card of a case Flare no longer has: say so, and retire the card."""
        self.tell(channel, user, GONE)
        if channel and ts:
            with contextlib.suppress(SlackError):  # e.g. the message was deleted meanwhile
                self.slack.update_card(channel, ts, card.gone(case_id), GONE)

    def log(self, case_id: str, text: str) -> None:
        """A quiet line in the card's thread: the case's activity log.

        Posted by a job, within the channel's send budget and retried if Slack fails, so a
        busy channel or a Slack outage delays the line rather than losing it.
        """
        queue(self.redis, QueueName.NOTIFY).enqueue(
            "workers.jobs.post_note", case_id, text, retry=NOTE_RETRY, result_ttl=0
        )

    def _changed(self, case_id: str, line: str) -> None:
        """Show a change on the card and say who made it in the card's thread."""
        self.redraw(case_id)
        self.log(case_id, line)

    def _answer(self, result: ClaimResult, case_id: str, user: str, channel: str, did: str) -> None:
        if result.ok:
            self._changed(case_id, f"<@{user}> {did} this case.")
            return
        self.tell(channel, user, explain(result, user))

    def _held_case(self, case_id: str, user: str, channel: str) -> Case | None:
        """The case if `user` holds it (or leads it); otherwise say why not and return None."""
        case = self.store.get(case_id)
        if case is None:
            self.tell(channel, user, GONE)
            return None
        if case.state in (CaseState.RESOLVED, CaseState.IGNORED):
            self.tell(channel, user, f"This case is {case.state.value}: reopen it first.")
            return None
        if case.state is not CaseState.CLAIMED:
            self.tell(channel, user, "Claim this case first.")
            return None
        if case.claimed_by != user and not self.team.is_lead(user):
            self.tell(channel, user, f"This case is held by <@{case.claimed_by}>.")
            return None
        return case

    # claim and state -------------------------------------------------------
    def claim(self, case_id: str, user: str, channel: str) -> None:
        result = self.store.claim(case_id, user)
        self._answer(result, case_id, user, channel, "claimed")
        if result.ok:
            self._redraw_when_lease_ends(case_id)

    def release(self, case_id: str, user: str, channel: str) -> None:
        self._answer(self.store.release(case_id, user), case_id, user, channel, "released")

    def take_over(self, case_id: str, user: str, channel: str) -> None:
        if not self.team.is_lead(user):
            self.refuse(case_id, user, channel, "take-over", "lead")
            return
        result = self.store.take_over(case_id, user)
        self._answer(result, case_id, user, channel, "took over")
        if result.ok:
            self._redraw_when_lease_ends(case_id)

    def _redraw_when_lease_ends(self, case_id: str) -> None:
        """The card says "claimed until HH:MM"; at that time it must offer Claim again."""
        case = self.store.get(case_id)
        if case and case.claim_until:
            queue(self.redis, QueueName.NOTIFY).enqueue_at(
                case.claim_until + timedelta(seconds=1),
                "workers.jobs.redraw_card",
                case_id,
                result_ttl=0,
            )

    def watch_due(self, case: Case) -> None:
        """At the case's response target a job checks it was answered, and nudges if not.

        One scheduled check per case (by job id): a retried job or a second card changes nothing.
        """
        due = case.decision.due
        if due is None or case.state not in (CaseState.OPEN, CaseState.CLAIMED):
            return
        check_at = due
        if case.decision.late:
            # Found past its target: the card already says so. Give the team the target's own
            # length from now before nudging, or a backfill would double every card at once.
            check_at = max(due, self.clock()) + (due - case.mention.created_at)
        with contextlib.suppress(DuplicateJobError):
            queue(self.redis, QueueName.NOTIFY).enqueue_at(
                check_at + timedelta(seconds=1),  # RQ counts whole seconds: never too early
                "workers.jobs.check_due",
                case.id,
                job_id=job_id("due", case.id),
                unique=True,
                retry=Retry(max=3, interval=[10, 60, 300]),  # Slack may fail; the nudge may not
                result_ttl=0,
            )

    def reopen(self, case_id: str, user: str, channel: str) -> None:
        result = self.store.reopen(case_id, user)
        self._answer(result, case_id, user, channel, "reopened")
        case = self.store.get(case_id) if result.ok else None
        if case:
            self.watch_due(case)

    # modals ----------------------------------------------------------------
    def open_close(self, case_id: str, user: str, channel: str, trigger_id: str) -> None:
        case = self._held_case(case_id, user, channel)
        if case:
            self.slack.open_view(trigger_id, modals.close_modal(case))

    def submit_close(self, view: dict[str, Any], user: str) -> Answer:
        """Resolve or ignore with the reason; if the case moved on meanwhile, the modal says so."""
        case_id, _ = modals.case_of(view)
        reason = modals.value_of(view, modals.InputId.REASON) or modals.CLOSE_REASONS[0]
        if reason not in modals.CLOSE_REASONS:
            return _error(modals.InputId.REASON, "Pick one of the reasons.")
        outcome = CaseState.IGNORED if reason in modals.IGNORE_REASONS else CaseState.RESOLVED
        result = self.store.close(case_id, user, outcome, reason)
        if not result.ok:
            return _error(modals.InputId.REASON, explain(result, user))
        line = f"<@{user}> closed this case as {outcome.value}: {reason}."
        return Answer(then=lambda: self._changed(case_id, line))

    def open_escalate(self, case_id: str, user: str, channel: str, trigger_id: str) -> None:
        case = self._held_case(case_id, user, channel)
        if case:
            risks = case.decision.risks
            default = case.decision.topic or next(iter(risks), None)
            topics = sorted({*self.topics, *([default] if default else [])}) or ["general"]
            self.slack.open_view(trigger_id, modals.escalate_modal(case, topics, default))

    def submit_escalate(self, view: dict[str, Any], user: str) -> Answer:
        case_id, _ = modals.case_of(view)
        topic = modals.value_of(view, modals.InputId.TOPIC) or "general"
        severity = modals.value_of(view, modals.InputId.SEVERITY) or modals.SEVERITIES[0]
        note = modals.value_of(view, modals.InputId.NOTE) or ""
        self._enqueue("workers.act.escalate", case_id, user, topic, severity, note, _key(view))
        return Answer()

    def open_dm(self, case_id: str, user: str, channel: str, trigger_id: str) -> None:
        case = self._held_case(case_id, user, channel)
        if case:
            draft = self.drafter(case, "dm") if self.drafter else ""
            self.slack.open_view(trigger_id, modals.dm_modal(case, draft))

    def submit_dm(self, view: dict[str, Any], user: str) -> Answer:
        case_id, _ = modals.case_of(view)
        text = (modals.value_of(view, modals.InputId.DRAFT) or "").strip()
        if not text:
            return _error(modals.InputId.DRAFT, "Write a message first.")
        text = with_signature(text, self.signature(user))
        self._enqueue("workers.act.send_dm", case_id, user, text, _key(view))
        return Answer()

    def open_reply(self, case_id: str, user: str, channel: str, trigger_id: str) -> None:
        case = self._held_case(case_id, user, channel)
        if case is None:
            return
        if not card.can_reply_publicly(case):
            self.tell(channel, user, NO_PUBLIC_REPLY)
            return
        if not self.team.may_speak_for(case, user):
            self.refuse(case_id, user, channel, "reply", "pr")
            return
        draft = self.drafter(case, "reply") if self.drafter else ""
        view = modals.reply_modal(case, draft, self.check_line(draft, user))
        opened = self.slack.open_view(trigger_id, view)
        # Whether the brand already answered is an X call: a job checks and updates the modal.
        self._enqueue("workers.act.check_conversation", case_id, str(opened.get("id", "")), user)

    def draft_changed(self, view: dict[str, Any], user: str) -> None:
        """The agent typed: redraw the length and safety line under the draft."""
        case_id, extra = modals.case_of(view)
        case = self.store.get(case_id)
        if case is None:
            return
        draft = modals.value_of(view, modals.InputId.DRAFT) or ""
        new = modals.reply_modal(
            case,
            draft,
            self.check_line(draft, user),
            ask_confirm=extra == "confirm",
            notice=_notice_of(view),
        )
        self.slack.update_view(str(view["id"]), new, str(view.get("hash", "")) or None)

    def submit_reply(self, view: dict[str, Any], user: str) -> Answer:
        """Check the draft; errors go back into the modal, a good one is queued or sent for
        approval."""
        case_id, extra = modals.case_of(view)
        case = self.store.get(case_id)
        if case is None:
            return _error(modals.InputId.DRAFT, "This case is no longer in Flare.")
        if not self.team.may_speak_for(case, user):
            self.store.audit(case_id, user, "refused", attempted="reply")
            return _error(modals.InputId.DRAFT, self.team.refusal("pr"))
        if not card.can_reply_publicly(case):
            return _error(modals.InputId.DRAFT, NO_PUBLIC_REPLY)
        draft = (modals.value_of(view, modals.InputId.DRAFT) or "").strip()
        if not draft:
            return _error(modals.InputId.DRAFT, "Write a reply first.")
        text = with_signature(draft, self.signature(user))
        check = self._check(text, public=True)
        if check and check.blocked:
            return _error(modals.InputId.DRAFT, check.blocked)
        if extra == "confirm" and not modals.value_of(view, modals.InputId.CONFIRM):
            return _error(modals.InputId.CONFIRM, ALREADY_ANSWERED)
        if needs_approval(case) and not self.team.may_approve(case, user):
            self.store.note(case_id, user, "reply-drafted", awaiting_approval=text)
            ts, waiting = case.approval_ts, case.awaiting_approval
            replaced = (ts, waiting) if ts and waiting else None
            return Answer(then=lambda: self._ask_approval(case_id, user, text, replaced))
        self._enqueue("workers.act.post_reply", case_id, user, text, _key(view))
        return Answer()

    def _ask_approval(
        self, case_id: str, user: str, text: str, replaced: tuple[str, str] | None
    ) -> None:
        """Post the draft with Approve and Send back in the card's thread; retire the request it
        replaces, so a lead can only ever approve the words they are shown."""
        self.redraw(case_id)
        where = self.store.card(case_id)
        if not where:
            return
        if replaced:
            outcome = f"Replaced by a newer draft from <@{user}>."
            self._retire_approval(case_id, *replaced, outcome)
        blocks = card.approval_blocks(case_id, user, text)
        posted = self.slack.post_in_thread(*where, "A reply awaits approval", blocks)
        self.store.note(case_id, user, None, approval_ts=posted.ts)

    def _retire_approval(self, case_id: str, ts: str, text: str, outcome: str) -> None:
        """Take the buttons off an approval request, saying what became of its draft."""
        where = self.store.card(case_id)
        if where:
            blocks = card.settled_approval(text, outcome)
            with contextlib.suppress(SlackError):  # e.g. the message was deleted meanwhile
                self.slack.update_card(where[0], ts, blocks, outcome)

    def _awaiting(
        self, case_id: str, user: str, channel: str, what: str, message_ts: str
    ) -> Case | None:
        """The case if the clicked request shows the draft that waits and `user` may decide;
        otherwise say why not."""
        case = self.store.get(case_id)
        if case is None or not case.awaiting_approval:
            self.tell(channel, user, "There is no reply waiting for approval on this case.")
            return None
        if case.approval_ts and message_ts and message_ts != case.approval_ts:
            self.tell(channel, user, STALE_APPROVAL)
            return None
        if not self.team.may_approve(case, user):
            self.refuse(case_id, user, channel, what, "lead")
            return None
        return case

    def approve(self, case_id: str, user: str, channel: str, message_ts: str = "") -> None:
        case = self._awaiting(case_id, user, channel, "approve", message_ts)
        if case is None or case.awaiting_approval is None:
            return
        text, author = case.awaiting_approval, case.claimed_by or user
        self.store.note(case_id, user, "reply-approved", awaiting_approval=None, approval_ts=None)
        if case.approval_ts:
            self._retire_approval(case_id, case.approval_ts, text, f"Approved by <@{user}>.")
        self.log(case_id, f"<@{user}> approved the reply.")
        self._enqueue(
            "workers.act.post_reply",
            case_id,
            author,
            text,
            hashlib.sha1(f"{case_id}:{text}".encode()).hexdigest()[:16],
        )

    def reject(self, case_id: str, user: str, channel: str, message_ts: str = "") -> None:
        case = self._awaiting(case_id, user, channel, "reject", message_ts)
        if case is None:
            return
        self.store.note(case_id, user, "reply-sent-back", awaiting_approval=None, approval_ts=None)
        if case.approval_ts and case.awaiting_approval:
            outcome = f"Sent back by <@{user}> for another draft."
            self._retire_approval(case_id, case.approval_ts, case.awaiting_approval, outcome)
        self._changed(case_id, f"<@{user}> sent the reply back for another draft.")

    # helpers ---------------------------------------------------------------
    def signature(self, user: str) -> str:
        """The agent's sign-off, from their Slack profile (cached)."""
        key = keys.signature(user)
        cached = self.redis.get(key)
        if cached is not None:
            return cached.decode()
        try:
            name = self.slack.real_name(user)
        except SlackError:
            name = ""
        initials = "".join(part[0] for part in name.split() if part[:1].isalpha()).upper()
        signature = self.signature_format.format(initials=initials or user[-2:], name=name)
        self.redis.set(key, signature, ex=86_400)
        return signature

    def _check(self, text: str, public: bool) -> DraftCheck | None:
        return self.check_draft(text, public) if self.check_draft else None

    def check_line(self, draft: str, user: str) -> str:
        check = self._check(with_signature(draft, self.signature(user)), public=True)
        return check.summary() if check else f"{len(draft)} characters"

    def _enqueue(self, job: str, *args: Any) -> None:
        queue(self.redis, QueueName.ACT).enqueue(job, *args, result_ttl=0)


NOTE_RETRY = Retry(max=4, interval=[2, 10, 60, 300])  # as every chat job: Slack may be down
DIRTY_TTL = 60  # seconds: a redraw job lost with its worker blocks later redraws no longer

GONE = "This case is no longer in Flare (it may have expired): there is nothing left to act on."
ALREADY_ANSWERED = "The brand already answered: tick to post anyway."
STALE_APPROVAL = (
    "That approval request is out of date: the draft it shows was replaced or decided. "
    "Use the latest request in the card's thread."
)
NO_PUBLIC_REPLY = (
    "X would refuse a public reply: the post does not mention the brand. "
    "Send a DM instead, or leave it to PR's public statement."
)


_JOB_ID = re.compile(r"[A-Za-z0-9_-]+")


def job_id(kind: str, case_id: str) -> str:
    """An RQ job id for one case's job: RQ takes letters, digits, "_" and "-" only, and a case
    id from the webhook may hold anything, so such ids are hashed."""
    if _JOB_ID.fullmatch(case_id):
        return f"{kind}-{case_id}"
    return f"{kind}-h{hashlib.sha1(case_id.encode()).hexdigest()[:20]}"


def _error(block: modals.InputId, message: str) -> Answer:
    """The modal stays open with `message` under the input `block`."""
    return Answer({block.value: message})


def _key(view: dict[str, Any]) -> str:
    """One modal, one post: a double submit of the same view carries the same key."""
    return str(view.get("id") or hashlib.sha1(repr(view).encode()).hexdigest()[:16])


def _notice_of(view: dict[str, Any]) -> str | None:
    for block in view.get("blocks", []):
        text = block.get("text", {}).get("text", "") if block.get("type") == "section" else ""
        if text.startswith("⚠️ "):
            return str(text.removeprefix("⚠️ "))
    return None


def explain(result: ClaimResult, user: str) -> str:
    """The ephemeral line a person reads when their click did not take."""
    if result.reason == "held":
        if result.holder == user:
            return "You already hold this case."
        return f"This case is already claimed by <@{result.holder}>."
    if result.reason == "closed":
        state = result.holder or "closed"
        return f"This case is {state}: reopen it first."
    if result.reason == "missing":
        return GONE
    return "That did not work; please try again."
