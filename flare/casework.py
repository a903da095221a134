"""Every action on a case, for any chat surface: who may act, what changes, what is said.

Each action is a method taking the case id, the person acting and their inputs (the clock is the
core's own). It checks who may act and the case's state in one place (`_admit`), changes the
store atomically, audits, queues the slow work as jobs (card redraws, lines in the card's thread,
posts to X) and returns an `Outcome`. Nothing here knows Slack or Teams: a surface parses its
payload into these calls and renders the outcome.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import redis

from flare import defaults, keys
from flare.case import Case, CaseState
from flare.draft import DraftCheck, check_draft, with_signature
from flare.incidents import Incident
from flare.jobs import Job, enqueue, redraw_card, redraw_fold
from flare.metrics import Tally
from flare.outcome import DONE, Actor, Field, Form, Kind, Outcome, invalid, refused
from flare.paging import Paging
from flare.statements import during
from flare.store import ClaimResult, Store
from flare.team import Team, needs_approval
from flare.time import Clock, utcnow
from flare.timers import Timers, default_clockwork
from flare.words import Outside, Person, Words, to_json, words
from rules.conversation import SEVERITY
from rules.decision import Decision
from rules.mention import Mention
from rules.targets import Clockwork
from rules.units import duration

Drafter = Callable[[Case, str], str]  # (case, "reply" or "dm") -> pre-filled draft

CLOSE_REASONS = (
    "resolved with the customer",
    "troll",
    "duplicate",
    "handled elsewhere",
    "no action needed",
)
IGNORE_REASONS = frozenset({"troll", "duplicate", "handled elsewhere", "no action needed"})
SEVERITIES = ("high", "critical")

GONE = words(
    "This case is no longer in Flare (it may have expired): there is nothing left to act on."
)
ALREADY_ANSWERED = words("The brand already answered: tick to post anyway.")
STALE_APPROVAL = words(
    "That approval request is out of date: the draft it shows was replaced or decided. "
    "Use the latest request in the card's thread."
)
NO_PUBLIC_REPLY = words(
    "X would refuse a public reply: the post does not mention the brand. "
    "Send a DM instead, or leave it to PR's public statement."
)
NOBODY_APPROVES = words(
    "This reply needs a lead's approval, and nobody is named who may give it: an admin names "
    "the leads in FLARE_SLACK__LEADS (or the PR team in FLARE_SLACK__PR_TEAM)."
)
NOTHING_WAITING = words("There is no reply waiting for approval on this case.")
NOTHING_FOLDED = words("Nothing more is waiting here: every case has its card.")
REOPEN_TO_CONFIRM = words(" (The incident opened after this form: open Reply again to tick.)")


class Act(StrEnum):
    """The actions on a case, by the names audited and carried by the cards' buttons."""

    CLAIM = "case_claim"
    RELEASE = "case_release"
    TAKE_OVER = "case_take_over"
    REPLY = "case_reply"
    DM = "case_dm"
    ESCALATE = "case_escalate"
    CLOSE = "case_close"
    REOPEN = "case_reopen"
    APPROVE = "reply_approve"
    SEND_BACK = "reply_reject"
    PULL = "case_pull"  # the next case folded out of a busy channel: carded and claimed
    SNOOZE = "case_snooze"  # put the reminder off
    ACKNOWLEDGE = "case_ack"  # on a breached case: someone is on it, the chain stops


class Need(StrEnum):
    """What an action asks of the person acting, checked by `Casework._admit`."""

    AGENT = "agent"  # anyone who may act on cards
    HOLDER = "holder"  # the case is claimed, by them (or they lead the team)
    LEAD = "lead"  # a team lead


DRAFT_REF = "draft:"


def draft_ref(text: str) -> str:
    """What an approval button names where it shows the draft itself rather than a request
    message: the words, by digest, so a lead approves only the words they were shown."""
    return DRAFT_REF + hashlib.sha1(text.encode()).hexdigest()[:16]


def explain(result: ClaimResult, user: str) -> Words:
    """What a person reads when their claim, release or close did not take."""
    if result.reason == "held":
        if result.holder == user:
            return words("You already hold this case.")
        return words("This case is already claimed by ", Person(result.holder or ""), ".")
    if result.reason == "closed":
        return words(f"This case is {result.holder or 'closed'}: reopen it first.")
    if result.reason == "missing":
        return GONE
    return words("That did not work; please try again.")


@dataclass
class Casework:
    store: Store
    paging: Paging
    team: Team = field(default_factory=Team)
    clock: Clock = utcnow
    topics: tuple[str, ...] = ()  # what a case may be escalated under
    drafter: Drafter | None = None
    signature_format: str = "^{initials}"
    clockwork: Clockwork = field(default_factory=default_clockwork)  # targets in time
    timers: Timers = field(init=False)

    def __post_init__(self) -> None:
        self.timers = Timers(self.store.redis, self.clockwork, self.clock)

    @property
    def redis(self) -> redis.Redis:
        return self.store.redis

    # who may act --------------------------------------------------------------------------
    def _admit(self, case_id: str, actor: Actor, need: Need, what: Act) -> Case | Outcome:
        """The case, if `actor` may do `what` on it now; otherwise the refusal to show them."""
        if not self.team.may_act(actor.id):
            return self._refuse(case_id, actor, what, "agent")
        if what in (Act.REPLY, Act.DM) and not self.team.may_post_on_x(actor.id):
            return self._refuse(case_id, actor, what, "x")  # as the brand: names needed
        case = self.store.get(case_id)
        if case is None:
            return Outcome(Kind.GONE, GONE)
        if need is Need.LEAD and not self.team.is_lead(actor.id):
            return self._refuse(case_id, actor, what, "lead")
        if need is Need.HOLDER:
            if case.state in (CaseState.RESOLVED, CaseState.IGNORED):
                return refused(words(f"This case is {case.state.value}: reopen it first."))
            if case.state is not CaseState.CLAIMED:
                return refused(words("Claim this case first."))
            if case.claimed_by != actor.id and not self.team.is_lead(actor.id):
                return refused(words("This case is held by ", Person(case.claimed_by or ""), "."))
        return case

    def _refuse(self, case_id: str, actor: Actor, what: Act, why: str) -> Outcome:
        self.store.audit(case_id, actor.id, "refused", attempted=what)
        return refused(words(self.team.refusal(why)))

    # claim and state ----------------------------------------------------------------------
    def claim(self, case_id: str, actor: Actor) -> Outcome:
        case = self._admit(case_id, actor, Need.AGENT, Act.CLAIM)
        if isinstance(case, Outcome):
            return case
        lease, now = self.timers.lease, self.clock()
        return self._took(
            self.store.claim(case_id, actor.id, lease, now), case_id, actor, "claimed"
        )

    def take_over(self, case_id: str, actor: Actor) -> Outcome:
        case = self._admit(case_id, actor, Need.LEAD, Act.TAKE_OVER)
        if isinstance(case, Outcome):
            return case
        taken = self.store.take_over(case_id, actor.id, self.timers.lease, self.clock())
        return self._took(taken, case_id, actor, "took over")

    def _took(self, result: ClaimResult, case_id: str, actor: Actor, did: str) -> Outcome:
        if not result.ok:
            return refused(explain(result, actor.id))
        self.store.note(case_id, actor.id, None, lapsed_by=None, snoozed_by=None)
        self.acted(case_id, actor)
        self.changed(case_id, words(Person(actor.id), f" {did} this case."))
        if self.store.card(case_id) is None:  # claimed from an incident's list: card it now
            enqueue(self.redis, Job.NOTIFY_CASE, case_id, retry=defaults.CHAT_RETRY)
        case = self.store.get(case_id)
        if case and case.claim_until:  # released, and the card says so, when the lease ends
            self.timers.watch_lease(case_id, case.claim_until)
        return DONE

    def pull(self, channel: str, actor: Actor) -> Outcome:
        """Take the most urgent case folded out of a busy channel's line (its "N more waiting"
        card): it is claimed for `actor`, and its card goes out at the channel's next slot,
        ahead of the line. A case claimed, carded or closed meanwhile is passed over; with
        none left, the person is told so."""
        if not self.team.may_act(actor.id):
            return refused(words(self.team.refusal("agent")))
        folded = keys.send_folded(channel)
        try:
            while first := self.redis.zrange(folded, 0, 0):  # left listed until claimed:
                case_id = first[0].decode()  # a pull that fails halfway loses no case
                case = self.store.get(case_id)
                if case is None or case.state is not CaseState.OPEN or self.store.card(case_id):
                    self.redis.zrem(folded, case_id)
                    continue
                result = self.store.claim(case_id, actor.id)
                self.redis.zrem(folded, case_id)  # claimed, by this person or another
                if result.ok:
                    self.store.audit(case_id, actor.id, "pull", channel=channel)
                    return self._took(result, case_id, actor, "pulled and claimed")
            return refused(NOTHING_FOLDED)
        finally:
            redraw_fold(self.redis, channel)

    def release(self, case_id: str, actor: Actor) -> Outcome:
        case = self._admit(case_id, actor, Need.AGENT, Act.RELEASE)
        if isinstance(case, Outcome):
            return case
        return self._moved(self.store.release(case_id, actor.id), case_id, actor, "released")

    def reopen(self, case_id: str, actor: Actor) -> Outcome:
        case = self._admit(case_id, actor, Need.AGENT, Act.REOPEN)
        if isinstance(case, Outcome):
            return case
        outcome = self._moved(self.store.reopen(case_id, actor.id), case_id, actor, "reopened")
        reopened = self.store.get(case_id) if outcome.ok else None
        if reopened:
            self.watch_due(reopened, restart=True)
        return outcome

    def _moved(self, result: ClaimResult, case_id: str, actor: Actor, did: str) -> Outcome:
        if not result.ok:
            return refused(explain(result, actor.id))
        self.changed(case_id, words(Person(actor.id), f" {did} this case."))
        return DONE

    def close(self, case_id: str, actor: Actor, reason: str) -> Outcome:
        """Resolve, or ignore with the reason kept for the record."""
        case = self._admit(case_id, actor, Need.AGENT, Act.CLOSE)
        if isinstance(case, Outcome):
            return _on(Field.REASON, case)
        if reason not in CLOSE_REASONS:
            return invalid(Field.REASON, words("Pick one of the reasons."))
        outcome = CaseState.IGNORED if reason in IGNORE_REASONS else CaseState.RESOLVED
        result = self.store.close(case_id, actor.id, outcome, reason)
        if not result.ok:
            return invalid(Field.REASON, explain(result, actor.id))
        line = words(Person(actor.id), f" closed this case as {outcome.value}: {reason}.")
        self.acted(case_id, actor)
        self.changed(case_id, line)
        return DONE

    # forms --------------------------------------------------------------------------------
    def close_form(self, case_id: str, actor: Actor) -> Outcome:
        case = self._admit(case_id, actor, Need.HOLDER, Act.CLOSE)
        return case if isinstance(case, Outcome) else Outcome(Kind.DONE, form=Form(case))

    def escalate_form(self, case_id: str, actor: Actor) -> Outcome:
        """The topics PR may be asked under, the case's own topic (or risk) chosen."""
        case = self._admit(case_id, actor, Need.HOLDER, Act.ESCALATE)
        if isinstance(case, Outcome):
            return case
        topics, default = self.topics_for(case)
        return Outcome(Kind.DONE, form=Form(case, topics=topics, topic=default))

    def topics_for(self, case: Case) -> tuple[tuple[str, ...], str | None]:
        """What the case may be escalated under, and the one offered first: its own topic."""
        default = case.decision.topic or next(iter(case.decision.risks), None)
        topics = tuple(sorted({*self.topics, *([default] if default else [])})) or ("general",)
        return topics, default

    def dm_form(self, case_id: str, actor: Actor) -> Outcome:
        case = self._admit(case_id, actor, Need.HOLDER, Act.DM)
        if isinstance(case, Outcome):
            return case
        return Outcome(Kind.DONE, form=Form(case, draft=self._draft(case, "dm")))

    def reply_form(self, case_id: str, actor: Actor) -> Outcome:
        """The draft from the playbook's template, if this person may answer in public."""
        case = self._admit(case_id, actor, Need.HOLDER, Act.REPLY)
        if isinstance(case, Outcome):
            return case
        if not case.decision.summoned:
            return refused(NO_PUBLIC_REPLY)
        if not self.team.may_speak_for(case, actor.id):
            return self._refuse(case_id, actor, Act.REPLY, "pr")
        draft = self._draft(case, "reply")
        incident = self._incident_of(case, actor)
        notice = during(incident) if incident else ()
        warning = NOBODY_APPROVES if self._unapprovable(case) else ()
        form = Form(case, draft, self.check_line(draft, actor), notice=notice, warning=warning)
        return Outcome(Kind.DONE, form=form)

    def watch_conversation(self, case_id: str, actor: Actor, form_ref: str) -> None:
        """Whether the brand already answered is a call to X: a job looks, and updates the form
        the agent has open (`form_ref`) if it did."""
        enqueue(self.redis, Job.CHECK_CONVERSATION, case_id, form_ref, actor.id)

    def recheck(self, case_id: str, actor: Actor, draft: str) -> Outcome:
        """The reply form again with the line under a draft being typed, for whoever may still
        answer the case; anyone else is refused and shown nothing of it."""
        case = self._admit(case_id, actor, Need.HOLDER, Act.REPLY)
        if isinstance(case, Outcome):
            return case
        if not self.team.may_speak_for(case, actor.id):
            return self._refuse(case_id, actor, Act.REPLY, "pr")
        return Outcome(Kind.DONE, form=Form(case, draft, self.check_line(draft, actor)))

    def check_line(self, draft: str, actor: Actor) -> str:
        """The line under a reply draft: length as X counts it with the signature, and safety."""
        return self._check(draft, actor).summary()

    # sending ------------------------------------------------------------------------------
    def reply(
        self,
        case_id: str,
        actor: Actor,
        draft: str,
        key: str,
        confirm_asked: bool = False,
        confirmed: bool = False,
    ) -> Outcome:
        """Check the draft and post it, or send it for a lead's approval first.

        `key` is the same for a double submit of one form: the reply goes out once.
        `confirm_asked`: the form told them the brand already answered, so a tick is needed.
        """
        case = self._admit(case_id, actor, Need.HOLDER, Act.REPLY)  # still theirs to answer
        if isinstance(case, Outcome):
            return _on(Field.DRAFT, case)
        if not self.team.may_speak_for(case, actor.id):
            return _on(Field.DRAFT, self._refuse(case_id, actor, Act.REPLY, "pr"))
        if not case.decision.summoned:
            return invalid(Field.DRAFT, NO_PUBLIC_REPLY)
        if not draft.strip():
            return invalid(Field.DRAFT, words("Write a reply first."))
        text = with_signature(draft.strip(), self.signature(actor))
        check = check_draft(text, public=True)
        if check.blocked:
            return invalid(Field.DRAFT, words(check.blocked))
        incident = None if confirmed else self._incident_of(case, actor)
        if incident is not None:  # one statement answers everyone: a reply needs a tick
            if confirm_asked:
                return invalid(Field.CONFIRM, during(incident))
            return invalid(Field.DRAFT, during(incident) + REOPEN_TO_CONFIRM)
        if confirm_asked and not confirmed:
            return invalid(Field.CONFIRM, ALREADY_ANSWERED)
        if self._unapprovable(case):
            return invalid(Field.DRAFT, NOBODY_APPROVES)
        if needs_approval(case) and not self.team.may_approve(case, actor.id):
            return self._ask_approval(case, actor, text)
        enqueue(self.redis, Job.POST_REPLY, case_id, actor.id, text, key)
        return DONE

    def _unapprovable(self, case: Case) -> bool:
        """The reply needs approval and nobody is named who could give it."""
        return needs_approval(case) and not self.team.approvers(case)

    def _ask_approval(self, case: Case, actor: Actor, text: str) -> Outcome:
        """Keep the draft on the case; a job posts it with Approve and Send back and retires the
        request it replaces, so a lead only ever approves the words they are shown."""
        self.store.note(case.id, actor.id, "reply-drafted", awaiting_approval=text)
        replaced = [case.approval_ts, case.awaiting_approval] if case.approval_ts else None
        enqueue(
            self.redis,
            Job.ASK_APPROVAL,
            case.id,
            actor.id,
            text,
            replaced,
            retry=defaults.CHAT_RETRY,
        )
        self.redraw(case.id)
        return DONE

    def approve(self, case_id: str, actor: Actor, request: str = "") -> Outcome:
        """Post the waiting draft; `request` is the approval request the lead clicked."""
        case = self._awaiting(case_id, actor, Act.APPROVE, request)
        if isinstance(case, Outcome):
            return case
        text, author = case.awaiting_approval or "", case.claimed_by or actor.id
        self.store.note(
            case_id, actor.id, "reply-approved", awaiting_approval=None, approval_ts=None
        )
        self._settle(case, words("Approved by ", Person(actor.id), "."))
        self.note(case_id, words(Person(actor.id), " approved the reply."))
        once = hashlib.sha1(f"{case_id}:{text}".encode()).hexdigest()[:16]
        enqueue(self.redis, Job.POST_REPLY, case_id, author, text, once)
        return DONE

    def send_back(self, case_id: str, actor: Actor, request: str = "") -> Outcome:
        case = self._awaiting(case_id, actor, Act.SEND_BACK, request)
        if isinstance(case, Outcome):
            return case
        self.store.note(
            case_id, actor.id, "reply-sent-back", awaiting_approval=None, approval_ts=None
        )
        self._settle(case, words("Sent back by ", Person(actor.id), " for another draft."))
        self.changed(case_id, words(Person(actor.id), " sent the reply back for another draft."))
        return DONE

    def _awaiting(self, case_id: str, actor: Actor, what: Act, request: str) -> Case | Outcome:
        """The case if the request clicked shows the draft that waits and `actor` may decide."""
        case = self._admit(case_id, actor, Need.AGENT, what)
        if isinstance(case, Outcome):
            return case
        if not case.awaiting_approval:
            return refused(NOTHING_WAITING)
        if request.startswith(DRAFT_REF):  # a card showing the draft itself (Teams)
            if request != draft_ref(case.awaiting_approval):
                return refused(STALE_APPROVAL)
        elif case.approval_ts and request and request != case.approval_ts:
            return refused(STALE_APPROVAL)
        if not self.team.may_approve(case, actor.id):
            return self._refuse(case_id, actor, what, "lead")
        return case

    def _settle(self, case: Case, outcome: Words) -> None:
        """Take the buttons off the case's approval request, saying what became of its draft."""
        if case.approval_ts and case.awaiting_approval:
            enqueue(
                self.redis,
                Job.SETTLE_APPROVAL,
                case.id,
                case.approval_ts,
                case.awaiting_approval,
                to_json(outcome),
                retry=defaults.CHAT_RETRY,
            )

    def dm(self, case_id: str, actor: Actor, draft: str, key: str) -> Outcome:
        """Send a DM, if the case is still theirs (a lead may have taken it over meanwhile)."""
        case = self._admit(case_id, actor, Need.HOLDER, Act.DM)
        if isinstance(case, Outcome):
            return _on(Field.DRAFT, case)
        if not draft.strip():
            return invalid(Field.DRAFT, words("Write a message first."))
        text = with_signature(draft.strip(), self.signature(actor))
        enqueue(self.redis, Job.SEND_DM, case_id, actor.id, text, key)
        return DONE

    def escalate(
        self, case_id: str, actor: Actor, topic: str, severity: str, note: str, key: str
    ) -> Outcome:
        """Open or join the topic's incident, and have PR told who is on call for it."""
        case = self._admit(case_id, actor, Need.AGENT, Act.ESCALATE)
        if isinstance(case, Outcome):
            return _on(Field.TOPIC, case)
        topic = topic or "general"
        severity = severity if severity in SEVERITIES else SEVERITIES[0]
        if key and not self.redis.set(
            keys.posted(f"escalate:{key}"), "1", nx=True, ex=defaults.ONCE_TTL
        ):
            return DONE  # the same form submitted twice: escalated once
        opened = self.paging.open(topic, case_id, cause="escalated by an agent").opened
        self.acted(case_id, actor)
        self.store.note(case_id, actor.id, "escalate", escalated_to=topic)
        self.store.count("escalations")
        enqueue(
            self.redis,
            Job.TELL_PR,
            case_id,
            actor.id,
            topic,
            severity,
            note,
            opened,
            retry=defaults.CHAT_RETRY,
        )
        line = words(
            Person(actor.id), " escalated this case to PR (", Outside(topic), f", {severity})."
        )
        self.changed(case_id, line)
        return DONE

    # what the jobs report back ----------------------------------------------------------
    def replied(self, case_id: str, user: str, reply_id: str) -> None:
        """X took the reply: the case shows it, with a link, in its card and thread."""
        self._time_first_answer(case_id)
        at = self.clock().isoformat()
        self.store.note(case_id, user, "reply", reply_id=reply_id, replied_by=user, answered_at=at)
        self.timers.stop(case_id, user)
        self.changed(
            case_id, words(Person(user), f" replied on X: https://x.com/i/status/{reply_id}")
        )

    def dm_sent(self, case_id: str, user: str) -> None:
        self._time_first_answer(case_id)
        self.store.note(case_id, user, "dm", dm_by=user, answered_at=self.clock().isoformat())
        self.timers.stop(case_id, user)
        self.changed(case_id, words(Person(user), " sent a direct message on X."))

    def _time_first_answer(self, case_id: str) -> None:
        """The case's first reply or DM: its time is kept on the case (for reports) and the
        wait since the customer's post goes to /metrics."""
        case = self.store.get(case_id)
        if case is None or case.answered_at or case.reply_id or case.dm_by:
            return
        now = self.clock()
        if self.store.redis.hsetnx(keys.case(case_id), "first_answered_at", now.isoformat()):
            waited = now - case.mention.created_at
            Tally(self.store.redis).observe("first_response", waited.total_seconds())

    def followed_up(self, case_id: str, mention: Mention, decision: Decision) -> bool:
        """The customer wrote again in the case's conversation: the post joins the case, which
        now carries `decision`. A closed case needing a person again is reopened; the card shows
        the post, its thread tells the holder, and the response target starts again. False if
        this post joined before (a retried batch)."""
        before = self.store.get(case_id)
        if before is None:
            return False
        if not before.closed and SEVERITY[decision.action] < SEVERITY[before.decision.action]:
            # an earlier follow-up of the same batch raised the case: it keeps the most it asked
            decision = before.decision.model_copy(
                update={"due": decision.due, "late": decision.late}
            )
        if not self.store.add_follow_up(case_id, mention, decision):
            return False
        self.store.audit(case_id, "flare", "follow-up", post=mention.id, action=decision.action)
        reopened = before.closed and decision.action.needs_person
        if reopened:
            self.store.reopen(case_id, "flare")
        case = self.store.get(case_id)
        if case is None:
            return True
        self.note(case_id, _follow_up_line(case, mention, before.decision, reopened))
        if decision.action is not before.decision.action or self.store.card(case_id) is None:
            enqueue(self.redis, Job.NOTIFY_CASE, case_id, retry=defaults.CHAT_RETRY)
        else:
            self.redraw(case_id)
        self.watch_due(case, restart=True)
        return True

    def settle_rolled_up(self, case: Case, user: str, resolve: bool) -> bool:
        """Its incident closed: the case goes back to the queue, or is resolved with it."""
        self.store.note(case.id, user, None, rolled_into=None)
        if resolve and not case.closed:
            reason = "answered by the incident's statement"
            if not self.store.close(case.id, user, CaseState.RESOLVED, reason).ok:
                return False
            self.changed(case.id, words(Person(user), f" closed the incident: {reason}."))
            return True
        self.changed(case.id, words("The incident closed: this case is back in the queue."))
        return True

    def watch_due(self, case: Case, restart: bool = False) -> Case:
        """Arm the case's timers (flare.timers): a reminder at a share of its target while
        nobody holds it, the breach at the target, and the chain after it while unanswered.

        Armed once per case: a retried job or a second card changes nothing. `restart`: the
        target moved (the customer wrote again, the case was reopened), so every timer starts
        over and the case may be reminded and told again. Returns the case as its card should
        show it now (with when its reminder falls).
        """
        if self.timers.arm(case, restart) is None and not restart:
            return case  # armed before, or nothing to time
        remind = self.timers.remind_at(case.id)
        at = remind.isoformat() if remind else None
        if restart:  # a new wait: not overdue, not snoozed, until its own timers say so
            self.store.note(
                case.id,
                "flare",
                None,
                remind_at=at,
                breached_at=None,
                snoozed_by=None,
                on_it_by=None,
            )
            return case.model_copy(update={"remind_at": remind, "breached_at": None})
        self.store.note(case.id, "flare", None, remind_at=at)
        return case.model_copy(update={"remind_at": remind})

    # timers -------------------------------------------------------------------------------
    def acted(self, case_id: str, actor: Actor) -> None:
        """Someone took a breached case in hand: its chain of overdue lines stops."""
        self.timers.stop(case_id, actor.id)

    def snooze(self, case_id: str, actor: Actor) -> Outcome:
        """Put the case's reminder off by the playbook's snooze; the breach is never put off."""
        case = self._admit(case_id, actor, Need.AGENT, Act.SNOOZE)
        if isinstance(case, Outcome):
            return case
        if case.state is not CaseState.OPEN:
            return refused(words("Reminders are for cases nobody holds: this one is taken."))
        status, until = self.timers.snooze(case_id)
        if status == "none":
            return refused(words("There is no reminder waiting on this case to snooze."))
        remind = until.isoformat() if until else None
        self.store.note(case_id, actor.id, "snoozed", remind_at=remind, snoozed_by=actor.id)
        if until is None:
            line = words(
                Person(actor.id),
                " snoozed the reminder: none comes before the response target now.",
            )
        else:
            length = duration(self.clockwork.timers.snooze)
            line = words(
                Person(actor.id), f" snoozed the reminder for {length}, until {until:%H:%M} UTC."
            )
        self.changed(case_id, line)
        return DONE

    def acknowledge(self, case_id: str, actor: Actor) -> Outcome:
        """On a case past its target: someone is on it, so the chain of overdue lines stops."""
        case = self._admit(case_id, actor, Need.AGENT, Act.ACKNOWLEDGE)
        if isinstance(case, Outcome):
            return case
        if case.closed or not case.awaiting_answer:
            return refused(words("This case was answered or closed: nobody is being told."))
        if not self.timers.breached(case_id):
            return refused(words("This case is not past its target: there is nothing to stop."))
        if not self.timers.stop(case_id, actor.id):
            by = self.timers.stopped_by(case_id) or ""
            return refused(words("Already in hand (", Person(by), "): the reminders stopped."))
        self.store.note(case_id, actor.id, "acknowledged", on_it_by=actor.id)
        self.changed(case_id, words(Person(actor.id), " is on it: no more overdue reminders."))
        return DONE

    # the card and its thread --------------------------------------------------------------
    def changed(self, case_id: str, line: Words) -> None:
        """Show a change on the case's card, and say who made it in the card's thread."""
        self.redraw(case_id)
        self.note(case_id, line)

    def redraw(self, case_id: str) -> None:
        """Have the case's card redrawn from the case as it is when the job runs."""
        redraw_card(self.redis, case_id)

    def note(self, case_id: str, line: Words) -> None:
        """A quiet line in the card's thread: the case's activity log, posted by a job within the
        channel's send budget and retried, so a busy channel or an outage delays it, never loses it.
        """
        enqueue(self.redis, Job.POST_NOTE, case_id, to_json(line), retry=defaults.CHAT_RETRY)

    # helpers ------------------------------------------------------------------------------
    def signature(self, actor: Actor) -> str:
        """The agent's sign-off: initials from the name their chat profile gives."""
        name = actor.name
        initials = "".join(part[0] for part in name.split() if part[:1].isalpha()).upper()
        return self.signature_format.format(initials=initials or actor.id[-2:], name=name)

    def _incident_of(self, case: Case, actor: Actor) -> Incident | None:
        """The open incident on the case's topic, whose statement answers everyone in it; none
        for the PR team, who write that statement and may answer in public as they see fit."""
        topic = case.escalated_to or case.decision.topic
        if not topic or actor.id in self.team.pr:
            return None
        return self.paging.incidents.get(topic)

    def _draft(self, case: Case, kind: str) -> str:
        return self.drafter(case, kind) if self.drafter else ""

    def _check(self, draft: str, actor: Actor) -> DraftCheck:
        return check_draft(with_signature(draft, self.signature(actor)), public=True)


def _follow_up_line(case: Case, post: Mention, was: Decision, reopened: bool) -> Words:
    """What the card's thread says when the customer writes again: to the holder, if any."""
    if case.state is CaseState.CLAIMED and case.claimed_by:
        said = words("💬 ", Person(case.claimed_by), ", the customer wrote again: ")
    elif reopened:
        said = words("💬 The customer wrote again, so the case is open again: ")
    else:
        said = words("💬 The customer wrote again: ")
    said += (Outside(post.text),)
    now = case.decision
    if now.action is not was.action:
        level = f" {now.priority.value}" if now.priority else ""
        said += (f" The case is now {now.action.value}{level}.",)
    if now.resolved:
        said += (" They say it is resolved: close the case if you agree.",)
    return said


def _on(at: Field, outcome: Outcome) -> Outcome:
    """A refusal met while submitting a form: shown under the form's `at` input."""
    if outcome.kind in (Kind.REFUSED, Kind.GONE):
        return Outcome(Kind.INVALID, outcome.says, {at: outcome.says})
    return outcome
