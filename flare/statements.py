"""An incident's public statement, for any surface: PR drafts it, a second person approves it,
Flare posts it once on X, and the incident links it (PLAYBOOK.md §2.2).

The draft waits on the incident's hash under a draft id that its approval request carries, so a
Lua script decides each draft once: a newer draft, a second approval or a send-back finds the
id gone or changed and posts nothing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flare import defaults, keys
from flare.draft import check_draft
from flare.incidents import Incident
from flare.jobs import Job, enqueue
from flare.outcome import DONE, Actor, Field, Kind, Outcome, invalid, refused
from flare.paging import NOT_OPEN, Paging, audit_id
from flare.store import Store
from flare.words import Outside, Person, Words, to_json, words
from rules.templates import render_statement

UPDATE_TEMPLATE = (
    "An update on the problem with {topic}: [what changed]. We're still on it and will post "
    "again here by [time]."
)
GAP = re.compile(r"\[[^\[\]\n]{1,40}\]")  # "[time]": a gap the template left for PR to fill

NOTHING_WAITING = words("No statement waits for approval on this incident: it was decided.")
STALE = words(
    "That statement request is out of date: a newer draft replaced it. "
    "Use the latest request in the incident card's thread."
)
WHO_APPROVES = words("A second member of the PR team, or a lead, approves a statement.")
WHO_DRAFTS = words("Only the PR team and the leads draft an incident's statement.")
DRILL_SAYS_NOTHING = words("A drill posts nothing on X: there is no statement to draft.")

# Keep a draft on the open incident, replacing any that waits.
# KEYS: incident hash. ARGV: incident id, draft id, text, author.
# Returns {status, the replaced draft's text, its request's ts}; status is ok or closed.
_DRAFT = """
local id, old, ts = unpack(redis.call('HMGET', KEYS[1], 'id', 'draft', 'draft_ts'))
if id ~= ARGV[1] then return {'closed', '', ''} end
redis.call('HSET', KEYS[1], 'draft_id', ARGV[2], 'draft', ARGV[3], 'draft_by', ARGV[4],
           'draft_ts', '')
return {'ok', old or '', ts or ''}
"""

# Record where a draft's approval request is, if the draft still waits.
# KEYS: incident hash. ARGV: incident id, draft id, ts. Returns 1 if recorded, else 0.
_ASKED = """
local id, draft = unpack(redis.call('HMGET', KEYS[1], 'id', 'draft_id'))
if id ~= ARGV[1] or draft ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'draft_ts', ARGV[3])
return 1
"""

# Decide the waiting draft once (approve or send back): it leaves the incident.
# KEYS: incident hash. ARGV: incident id, the draft id the request clicked carries.
# Returns {status, text, author, request ts}; status is ok, closed, none or stale.
_DECIDE = """
local id, draft, text, by, ts = unpack(redis.call('HMGET', KEYS[1], 'id', 'draft_id', 'draft',
                                                  'draft_by', 'draft_ts'))
if id ~= ARGV[1] then return {'closed', '', '', ''} end
if not draft then return {'none', '', '', ''} end
if draft ~= ARGV[2] then return {'stale', '', '', ''} end
redis.call('HDEL', KEYS[1], 'draft_id', 'draft', 'draft_by', 'draft_ts')
return {'ok', text, by, ts or ''}
"""

# X took a statement: list its post on the incident, once.
# KEYS: incident hash. ARGV: incident id, post id. Returns how many statements it has, or -1.
_POSTED = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return -1 end
local posted = redis.call('HGET', KEYS[1], 'statements') or ''
local count = 0
for _ in string.gmatch(posted, '%S+') do count = count + 1 end
if string.find(' ' .. posted .. ' ', ' ' .. ARGV[2] .. ' ', 1, true) then return count end
redis.call('HSET', KEYS[1], 'statements', posted == '' and ARGV[2] or posted .. ' ' .. ARGV[2])
return count + 1
"""


def post_url(post_id: str) -> str:
    return f"https://x.com/i/status/{post_id}"


def during(incident: Incident) -> Words:
    """What an agent replying in public on the incident's topic reads before they may post."""
    opened = ("The ", Outside(incident.topic), " incident is open: ")
    if incident.statements:
        link = post_url(incident.statements[-1])
        return words(
            *opened,
            "PR's statement answers everyone affected: ",
            link,
            ". Point them to it, or tick to reply anyway.",
        )
    return words(
        *opened, "PR is preparing one statement for everyone affected. Tick to reply anyway."
    )


@dataclass(frozen=True)
class StatementForm:
    """What the statement form shows: the incident and the draft to start from."""

    topic: str
    incident_id: str
    draft: str
    update: bool  # a statement went out already: this one is an update


@dataclass
class Statements:
    paging: Paging

    def __post_init__(self) -> None:
        client = self.paging.store.redis
        self._draft = client.register_script(_DRAFT)
        self._asked = client.register_script(_ASKED)
        self._decide = client.register_script(_DECIDE)
        self._posted = client.register_script(_POSTED)

    @property
    def store(self) -> Store:
        return self.paging.store

    def _incident(self, topic: str, incident_id: str) -> Incident | None:
        incident = self.paging.incidents.get(topic)
        if incident is None or (incident_id and incident.id != incident_id):
            return None
        return incident

    def form(self, topic: str, incident_id: str, actor: Actor) -> StatementForm | Outcome:
        """The draft to start from: the plan's first statement, or an update once one is out."""
        if not self.paging.pr_or_lead(actor.id):
            return self._refuse(topic, incident_id, actor, "statement-form", WHO_DRAFTS)
        incident = self._incident(topic, incident_id)
        if incident is None:
            return refused(NOT_OPEN)
        if incident.cause == "drill":
            return refused(DRILL_SAYS_NOTHING)
        update = bool(incident.statements)
        template = UPDATE_TEMPLATE if update else self.paging.statement_for(topic)
        return StatementForm(topic, incident.id, render_statement(template, topic), update)

    def draft(self, topic: str, incident_id: str, actor: Actor, text: str, key: str) -> Outcome:
        """Ask for approval of `text`; it replaces any draft that waits. `key` is the same for a
        double submit of one form: asked once."""
        if not self.paging.pr_or_lead(actor.id):
            said = self._refuse(topic, incident_id, actor, "statement-draft", WHO_DRAFTS).says
            return invalid(Field.DRAFT, said)
        text = text.strip()
        if not text:
            return invalid(Field.DRAFT, words("Write the statement first."))
        blocked = check_draft(text, public=True).blocked
        if blocked:
            return invalid(Field.DRAFT, words(blocked))
        gap = GAP.search(text)
        if gap:
            return invalid(
                Field.DRAFT, words("Fill in ", Outside(gap.group()), ": it would go out as it is.")
            )
        redis = self.store.redis
        if not redis.set(keys.posted(f"statement:{key}"), "1", nx=True, ex=defaults.ONCE_TTL):
            return DONE  # the same form submitted twice: asked once
        draft_id = secrets.token_hex(6)
        status, old, old_ts = self._draft(
            keys=[keys.incident(topic)], args=[incident_id, draft_id, text, actor.id]
        )
        if status.decode() != "ok":
            redis.delete(keys.posted(f"statement:{key}"))
            return invalid(Field.DRAFT, NOT_OPEN)
        self.store.audit(
            audit_id(incident_id), actor.id, "statement-drafted", draft=draft_id, text=text
        )
        replaced = [old_ts.decode(), old.decode()] if old else None
        enqueue(
            redis,
            Job.ASK_STATEMENT_APPROVAL,
            topic,
            incident_id,
            draft_id,
            actor.id,
            text,
            replaced,
            retry=defaults.CHAT_RETRY,
        )
        self.paging.redraw(topic)
        return DONE

    def asked(self, topic: str, incident_id: str, draft_id: str, ts: str) -> bool:
        """The approval request is posted at `ts`; False if its draft was decided or replaced."""
        return bool(self._asked(keys=[keys.incident(topic)], args=[incident_id, draft_id, ts]))

    def waiting(self, topic: str, incident_id: str, draft_id: str) -> bool:
        """Whether this draft still waits for approval."""
        current = self.store.redis.hmget(keys.incident(topic), ["id", "draft_id"])
        return current == [incident_id.encode(), draft_id.encode()]

    def approve(self, topic: str, incident_id: str, draft_id: str, actor: Actor) -> Outcome:
        """Post the draft the clicked request shows, once, as a new post on X."""
        taken = self._decide_as(topic, incident_id, draft_id, actor, "statement-approve")
        if isinstance(taken, Outcome):
            return taken
        text, author, ts = taken
        self.store.audit(audit_id(incident_id), actor.id, "statement-approved", draft=draft_id)
        enqueue(
            self.store.redis,
            Job.POST_STATEMENT,
            topic,
            incident_id,
            draft_id,
            author,
            actor.id,
            text,
        )
        self._settle(topic, ts, text, words("Approved by ", Person(actor.id), ": posting on X."))
        self.paging.redraw(topic)
        return Outcome(Kind.DONE, words("Approved: the statement goes out on X now."))

    def send_back(self, topic: str, incident_id: str, draft_id: str, actor: Actor) -> Outcome:
        taken = self._decide_as(topic, incident_id, draft_id, actor, "statement-send-back")
        if isinstance(taken, Outcome):
            return taken
        text, author, ts = taken
        self.store.audit(audit_id(incident_id), actor.id, "statement-sent-back", draft=draft_id)
        self._settle(topic, ts, text, words("Sent back by ", Person(actor.id), " for a new draft."))
        self.paging.redraw(topic)
        return Outcome(Kind.DONE, words("Sent back: ", Person(author), " drafts it again."))

    def _decide_as(
        self, topic: str, incident_id: str, draft_id: str, actor: Actor, what: str
    ) -> tuple[str, str, str] | Outcome:
        """The waiting draft's text, author and request ts, taken off the incident, if the
        request clicked shows it and `actor` may decide it."""
        incident = self._incident(topic, incident_id)
        if incident is None:
            return refused(NOT_OPEN)
        if not incident.draft_by:
            return refused(NOTHING_WAITING)
        author = incident.draft_by
        withdraws = what == "statement-send-back" and actor.id == author
        if not withdraws and not self.paging.team.may_approve_statement(author, actor.id):
            return self._refuse(topic, incident_id, actor, what, WHO_APPROVES)
        status, text, by, ts = (
            part.decode()
            for part in self._decide(keys=[keys.incident(topic)], args=[incident_id, draft_id])
        )
        if status == "stale":
            return refused(STALE)
        if status == "none":
            return refused(NOTHING_WAITING)
        if status != "ok":
            return refused(NOT_OPEN)
        return text, by, ts

    def _settle(self, topic: str, ts: str, text: str, outcome: Words) -> None:
        """Take the buttons off a request, saying what became of its draft."""
        if ts:
            enqueue(
                self.store.redis,
                Job.SETTLE_STATEMENT,
                topic,
                ts,
                text,
                to_json(outcome),
                retry=defaults.CHAT_RETRY,
            )

    def posted(
        self, topic: str, incident_id: str, post_id: str, author: str, approver: str
    ) -> bool:
        """X took the statement: the incident links it. True if it was an update."""
        count = int(self._posted(keys=[keys.incident(topic)], args=[incident_id, post_id]))
        self.store.audit(
            audit_id(incident_id),
            "flare",
            "statement-posted",
            post=post_id,
            drafted_by=author,
            approved_by=approver,
        )
        self.paging.redraw(topic)
        return count > 1

    def _refuse(
        self, topic: str, incident_id: str, actor: Actor, what: str, said: Words
    ) -> Outcome:
        where = audit_id(incident_id) if incident_id else f"incident-topic:{topic}"
        self.store.audit(where, actor.id, "refused", attempted=what)
        return refused(said)
