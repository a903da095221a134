"""Paging PR about an incident, for any surface: open it, acknowledge, pass it on, close it.

The chain itself runs as jobs (`Job.PAGE_STEP`), each carrying the token of its step: the
incident's state in Redis (flare.incidents) decides whether a step may still page anyone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from rq.exceptions import DuplicateJobError

from flare import defaults, keys
from flare.incidents import Incidents, Opened
from flare.jobs import Job, enqueue, enqueue_at, job_id, redraw_card
from flare.outcome import Actor, Kind, Outcome, refused
from flare.store import Store
from flare.team import Team
from flare.time import Clock, utcnow
from flare.words import Outside, Person, words
from rules.crisis import Chain

JUMP_MIN = 3  # cases a minute below which no rate counts as a jump
DRILL = "-drill"  # a drill's incident is its topic with this after it
NOT_OPEN = words("There is no open incident on that topic: nothing to do.")


def audit_id(incident_id: str) -> str:
    """Where an incident's history is audited: beside the cases, under its own id."""
    return f"incident:{incident_id}"


@dataclass
class Paging:
    store: Store
    chain_for: Callable[[str], Chain]  # the playbook's chain for a topic, copied on opening
    team: Team = field(default_factory=Team)
    clock: Clock = utcnow
    fold_window: timedelta = timedelta(minutes=5)  # an opening incident folds in cards this recent
    statement_for: Callable[[str], str] = lambda topic: ""  # the plan's first statement
    incidents: Incidents = field(init=False)

    def __post_init__(self) -> None:
        self.incidents = Incidents(self.store.redis)

    def open(
        self,
        topic: str,
        case_id: str | None = None,
        cause: str = "",
        loud: bool = False,
        complaint: bool = False,
    ) -> Opened:
        """Open the topic's incident (or count the case into the open one) and, when this opened
        it, page the first contact at once and fold in the topic's cards from the spike window:
        each is counted, and its card says it belongs to the incident."""
        chain = self.chain_for(topic)
        opened = self.incidents.join(topic, case_id, self.clock(), chain, cause, complaint)
        redis = self.store.redis
        if opened.opened:
            self.store.count("incidents")
            self.store.audit(
                audit_id(opened.id), "flare", "incident-open", topic=topic, cause=cause
            )
            enqueue(
                redis, Job.PAGE_STEP, topic, opened.id, 0, opened.token, retry=defaults.PAGE_RETRY
            )
            self._fold(topic, exclude=case_id)
        else:
            self._watch_for_a_jump(topic, loud)
        self.redraw(topic)
        return opened

    def _watch_for_a_jump(self, topic: str, loud: bool) -> None:
        """Re-page on a jump: once acknowledged, an incident whose rate doubles, or that a post
        from a far-reaching author or spreading fast joins, tells its acknowledger, and unless
        they acknowledge again within the first step's time the chain starts again."""
        if self.store.redis.hget(keys.incident(topic), "state") != b"acked":
            return  # the common case in a flood, read in one round trip
        incident = self.incidents.get(topic)
        if incident is None or not incident.acknowledged or incident.chain is None:
            return
        now = self.clock()
        rate = incident.rate(now)
        jumped = rate >= JUMP_MIN and rate >= 2 * max(incident.acked_rate, 1)
        if not (jumped or loud) or not incident.chain.steps:
            return
        by, token = self.incidents.rearm(topic, incident.id, now)
        if not by:
            return  # acknowledged anew or closed meanwhile
        why = f"{rate}/min now, {incident.acked_rate}/min when acknowledged" if jumped else ""
        why = why or "a post from a far-reaching author, or spreading fast"
        self.store.audit(audit_id(incident.id), "flare", "jump", topic=topic, why=why)
        first = incident.chain.steps[0]
        enqueue(
            self.store.redis,
            Job.JUMP_NOTICE,
            topic,
            incident.id,
            by,
            why,
            retry=defaults.PAGE_RETRY,
        )
        enqueue_at(
            self.store.redis,
            now + first.ack_within,
            Job.PAGE_STEP,
            topic,
            incident.id,
            0,
            token,
            retry=defaults.PAGE_RETRY,
        )
        self.redraw(topic)

    def _fold(self, topic: str, exclude: str | None) -> None:
        since = (self.clock() - self.fold_window).timestamp()
        redis = self.store.redis
        recent = redis.zrangebyscore(keys.topic_cases(topic), since, "+inf", withscores=True)
        found = {raw.decode(): at for raw, at in recent if raw.decode() != exclude}
        live = [c for c in self.store.get_many(sorted(found)) if not c.closed]
        if not live:
            return
        complaints = sum(1 for c in live if c.decision.complaint)
        self.incidents.fold(topic, {c.id: found[c.id] for c in live}, complaints)
        for case in live:
            self.store.note(case.id, "flare", "rolled-up", rolled_into=topic)
            redraw_card(redis, case.id)

    def redraw(self, topic: str) -> None:
        """Have the incident's card posted or edited; changes meanwhile fold into one edit."""
        with contextlib.suppress(DuplicateJobError):
            enqueue(
                self.store.redis,
                Job.NOTIFY_INCIDENT,
                topic,
                job_id=job_id("incident", topic),
                unique=True,
                retry=defaults.CHAT_RETRY,
            )

    def open_by(self, topic: str, actor: Actor) -> Outcome:
        """A person opens an incident by hand (`/flare crisis open TOPIC`): PR or a lead."""
        if not self.pr_or_lead(actor.id):
            return self._refuse(topic, actor, "open")
        opened = self.open(topic, cause="opened by hand")
        self.store.audit(audit_id(opened.id), actor.id, "open-by-hand", topic=topic)
        if not opened.opened:
            return refused(words("The ", Outside(topic), " incident is open already."))
        return Outcome(Kind.DONE, words("Opened the ", Outside(topic), " incident: paging starts."))

    def drill(self, topic: str, actor: Actor) -> Outcome:
        """Page a topic's real chain, marked DRILL, under an incident of its own (`TOPIC-drill`)."""
        name = f"{topic}{DRILL}"
        chain = self.chain_for(topic)
        if not chain.steps:
            return refused(words("The playbook names nobody to page for ", Outside(topic), "."))
        opened = self.incidents.join(
            name, None, self.clock(), chain.model_copy(update={"topic": name}), "drill"
        )
        if not opened.opened:
            return refused(words("A drill on ", Outside(topic), " is running already."))
        self.store.audit(audit_id(opened.id), actor.id, "drill", topic=topic)
        enqueue(
            self.store.redis,
            Job.PAGE_STEP,
            name,
            opened.id,
            0,
            opened.token,
            retry=defaults.PAGE_RETRY,
        )
        self.redraw(name)
        first = chain.steps[0].contact.name
        return Outcome(
            Kind.DONE,
            words(
                f"Drill {name} opened: {first} is paged first, then the rest of the chain in turn "
                f"until someone acknowledges (/flare ack {name}). A running flare worker sends "
                "the pages.",
            ),
        )

    def pr_or_lead(self, user: str) -> bool:
        """Who speaks for the brand in a crisis: PR and the leads; anyone who may act if neither
        is named."""
        named = self.team.pr | self.team.leads
        return user in named if named else self.team.may_act(user)

    def may_answer(self, topic: str, user: str) -> bool:
        """PR, the leads, and whoever the incident's chain pages."""
        incident = self.incidents.get(topic)
        if incident is None:
            return True  # nothing to act on: the answer says so, whoever asks
        chain = incident.chain
        paged = {s.contact.slack for s in chain.steps} if chain else set()
        if user in self.team.pr | self.team.leads | paged:
            return True
        return not self.team.pr and self.team.may_act(user)

    def acknowledge(self, topic: str, actor: Actor, incident_id: str = "") -> Outcome:
        """Stop the chain: no step pages anyone once this has returned."""
        if not self.may_answer(topic, actor.id):
            return self._refuse(topic, actor, "acknowledge")
        status, by = self.incidents.acknowledge(topic, actor.id, self.clock(), incident_id)
        if status == "closed":
            return refused(words("That incident is closed already: nobody is being paged."))
        if status == "already":
            return refused(words("Already acknowledged by ", Person(by), ": paging has stopped."))
        incident = self.incidents.get(topic)
        found = incident.id if incident else incident_id
        if incident is not None:
            self.incidents.note_rate(topic, incident.rate(self.clock()))
        self.store.audit(audit_id(found), actor.id, "acknowledge", topic=topic)
        enqueue(
            self.store.redis,
            Job.PAGING_STOPPED,
            topic,
            found,
            actor.id,
            retry=defaults.PAGE_RETRY,
        )
        self.redraw(topic)
        return Outcome(
            Kind.DONE, words("You acknowledged the ", Outside(topic), " incident: paging stopped.")
        )

    def pass_on(self, topic: str, actor: Actor, incident_id: str = "") -> Outcome:
        """Can't take it: the next contact is paged now, not when this step's time runs out."""
        if not self.may_answer(topic, actor.id):
            return self._refuse(topic, actor, "pass")
        status, found, step, token = self.incidents.pass_on(topic, incident_id)
        if status == "closed":
            return refused(words("That incident is closed already: nobody is being paged."))
        if status == "acked":
            return refused(words("Someone acknowledged this incident already: paging has stopped."))
        self.store.audit(audit_id(found), actor.id, "pass", topic=topic, step=step)
        enqueue(
            self.store.redis, Job.PAGE_STEP, topic, found, step, token, retry=defaults.PAGE_RETRY
        )
        return Outcome(Kind.DONE, words("Thanks for saying so: the next contact is paged now."))

    def close(self, topic: str, actor: Actor, summary: str, resolve: bool = False) -> Outcome:
        """Close the incident: paging stops, the pager is resolved, PR reads the summary, and
        the cases it rolled up go back to the queue, or are resolved with it if `resolve`."""
        if not self.pr_or_lead(actor.id):
            return self._refuse(topic, actor, "close")
        status, found = self.incidents.close(topic, actor.id, self.clock(), summary)
        if status != "ok":
            return refused(NOT_OPEN)
        cases = "resolved with it" if resolve else "back in the queue"
        said = words(
            "Closed the ",
            Outside(topic),
            f" incident: paging stopped, PR is told, its cases {cases}.",
        )
        self.store.audit(audit_id(found), actor.id, "incident-close", topic=topic, summary=summary)
        enqueue(
            self.store.redis,
            Job.INCIDENT_CLOSED,
            topic,
            found,
            actor.id,
            summary,
            retry=defaults.PAGE_RETRY,
        )
        enqueue(
            self.store.redis,
            Job.SETTLE_ROLLED_UP,
            topic,
            found,
            actor.id,
            resolve,
            retry=defaults.CHAT_RETRY,
        )
        return Outcome(Kind.DONE, said)

    def _refuse(self, topic: str, actor: Actor, what: str) -> Outcome:
        self.store.audit(f"incident-topic:{topic}", actor.id, "refused", attempted=what)
        return refused(words("Only the PR team, the leads and the people paged may do that."))
