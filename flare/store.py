"""Cases, claims, card locations and counters, in Redis; each action goes to the audit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from flare import keys
from flare.audit import Audit
from flare.case import Case, CaseState
from flare.defaults import TRIAGE_PENDING_TTL
from rules.decision import Decision
from rules.mention import Mention, RefType

DEFAULT_LEASE = timedelta(minutes=30)

# Take a case's lease atomically: refused if someone else holds it (unless a lead takes over) or
# the case is not open or claimed.
# KEYS: case hash, claim. ARGV: user, lease ms, until (ISO), now ms, until ms, take over ('1').
# Returns {status, holder, previous holder}; status is ok, held, closed or missing.
_CLAIM = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing', '', ''} end
if state ~= 'open' and state ~= 'claimed' then return {'closed', state, ''} end
local holder = redis.call('GET', KEYS[2]) or ''
local held_until = tonumber(redis.call('HGET', KEYS[1], 'claim_until_ms') or '0')
local held = holder ~= '' and holder ~= ARGV[1] and held_until > tonumber(ARGV[4])
if held and ARGV[6] ~= '1' then return {'held', holder, ''} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[1], 'state', 'claimed', 'claimed_by', ARGV[1], 'claim_until', ARGV[3],
           'claim_until_ms', ARGV[5])
return {'ok', ARGV[1], holder}
"""

# Move a case between states, dropping its lease.
# KEYS: case hash, claim. ARGV: user, allowed states (comma list), new state, must hold ('1').
# Returns {status, holder}; status is ok, held, closed or missing.
_MOVE = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing', ''} end
local holder = redis.call('GET', KEYS[2]) or ''
if not string.find(',' .. ARGV[2] .. ',', ',' .. state .. ',', 1, true) then
  return {'closed', state}
end
if ARGV[4] == '1' and holder ~= '' and holder ~= ARGV[1] then return {'held', holder} end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'state', ARGV[3])
redis.call('HDEL', KEYS[1], 'claimed_by', 'claim_until', 'claim_until_ms')
return {'ok', holder}
"""


# Store a batch of decided mentions, each once and whole: one already stored is left as it is.
# KEYS: stats hash, cases by due, cases by when stored, missed posts, then per case: case hash,
#   thread of its conversation, thread of the post itself (the same key when the post starts
#   its conversation).
# ARGV: stored at (ISO), stored at (epoch seconds), then per case: id, mention JSON, decision
#   JSON, state, linked to ('' for none), due (epoch seconds, '' for none), action, ingested at
#   (ISO, '' for unknown), posted at (epoch seconds) if past the maximum age, else ''.
# Returns per case 1 if stored now, 0 if it was stored before.
_SAVE = """
local stored, counted = {}, {}
local n = (#KEYS - 5) / 3
local pending = ARGV[3] ~= ''
for i = 0, n - 1 do
  local case, a = KEYS[6 + i * 3], 3 + i * 9
  local id, linked, due, action = ARGV[a + 1], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7]
  if redis.call('HSETNX', case, 'stored_at', ARGV[1]) == 1 then
    redis.call('HSET', case, 'mention', ARGV[a + 2], 'decision', ARGV[a + 3], 'state', ARGV[a + 4])
    for _, thread in ipairs({KEYS[7 + i * 3], KEYS[8 + i * 3]}) do
      if linked ~= '' then
        redis.call('SET', thread, id)  -- the conversation moves on to the new case
      else
        redis.call('SET', thread, id, 'NX')
      end
      if KEYS[7 + i * 3] == KEYS[8 + i * 3] then break end
    end
    if linked ~= '' then redis.call('HSET', case, 'linked_to', linked) end
    if ARGV[a + 8] ~= '' then redis.call('HSET', case, 'ingested_at', ARGV[a + 8]) end
    if due ~= '' then redis.call('ZADD', KEYS[2], due, id) end
    if ARGV[a + 9] ~= '' then redis.call('ZADD', KEYS[4], ARGV[a + 9], id) end  -- too old: listed
    redis.call('ZADD', KEYS[3], ARGV[2], id)
    if pending then redis.call('SADD', KEYS[5], id) end  -- acted on by this batch, or its retry
    counted[action] = (counted[action] or 0) + 1
    stored[#stored + 1] = 1
  else
    stored[#stored + 1] = 0
  end
end
local total = 0
for action, count in pairs(counted) do
  redis.call('HINCRBY', KEYS[1], 'action:' .. action, count)
  total = total + count
end
if total > 0 then redis.call('HINCRBY', KEYS[1], 'mentions', total) end
if pending and total > 0 then redis.call('EXPIRE', KEYS[5], ARGV[3]) end
return stored
"""


@dataclass(frozen=True)
class NewCase:
    """A decided mention to store as a case, and the earlier case it is linked to, if any."""

    mention: Mention
    decision: Decision
    linked_to: str | None = None
    ingested_at: datetime | None = None  # when intake handed it on: the ingest-to-card timing


@dataclass(frozen=True)
class ClaimResult:
    ok: bool
    holder: str | None = None
    reason: str = ""  # "held", "closed" or "missing" when not ok


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The one place that reads and writes case state."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self.trail = Audit(client)
        self._claim = client.register_script(_CLAIM)
        self._move = client.register_script(_MOVE)
        self._save = client.register_script(_SAVE)

    # cases ---------------------------------------------------------------
    def save(
        self,
        mention: Mention,
        decision: Decision,
        now: datetime | None = None,
        linked_to: str | None = None,
        ingested_at: datetime | None = None,
    ) -> bool:
        """Store a decided mention; False if it was stored before (idempotent by id).

        The case owns its conversation unless an earlier case does: `linked_to` names an earlier
        case of the same conversation, closed too long ago to be reopened. `ingested_at`: when
        intake handed the post on, for the ingest-to-card timing.
        """
        return self.save_many([NewCase(mention, decision, linked_to, ingested_at)], now)[0]

    def save_many(
        self, cases: list[NewCase], now: datetime | None = None, batch: str | None = None
    ) -> list[bool]:
        """Store a batch of decided mentions in one round trip, each whole or not at all; for
        each, False if it was stored before (a retried batch changes nothing twice). With
        `batch`, the ids stored are also listed in `keys.triage_pending(batch)`, atomically,
        until the batch has acted on them (`pending`, `acted`)."""
        if not cases:
            return []
        when = now or _now()
        keys_: list[str] = [
            keys.stats(),
            keys.cases_by_due(),
            keys.cases_by_stored(),
            keys.missed(),
            keys.triage_pending(batch or ""),
        ]
        argv: list[str | float] = [
            when.isoformat(),
            when.timestamp(),
            TRIAGE_PENDING_TTL if batch else "",
        ]
        for new in cases:
            m, d = new.mention, new.decision
            keys_ += [keys.case(m.id), keys.thread(m.conversation_id or m.id), keys.thread(m.id)]
            due = d.due.timestamp() if d.action.needs_person and d.due else ""
            state = CaseState.OPEN if d.action.needs_person else CaseState.IGNORED
            argv += [
                m.id,
                m.model_dump_json(),
                d.model_dump_json(),
                state.value,
                new.linked_to or "",
                due,
                d.action.value,
                new.ingested_at.isoformat() if new.ingested_at else "",
                m.created_at.timestamp() if d.signals.get("too_old") else "",
            ]
        stored = self._save(keys=keys_, args=argv)
        return [bool(flag) for flag in stored]

    def pending(self, batch: str) -> set[str]:
        """Ids a triage batch stored and has not yet acted on (all of them, while it runs)."""
        return {raw.decode() for raw in self.redis.smembers(keys.triage_pending(batch))}

    def acted(self, batch: str) -> None:
        """The batch has acted on every case it stored: its retry has nothing left to do."""
        self.redis.delete(keys.triage_pending(batch))

    def get(self, case_id: str) -> Case | None:
        found = self.get_many([case_id])
        return found[0] if found else None

    def get_many(self, case_ids: list[str]) -> list[Case]:
        """The cases that exist, in the order asked, each with its follow-ups: one round trip."""
        pipe = self.redis.pipeline(transaction=False)
        for cid in case_ids:
            pipe.hgetall(keys.case(cid))
            pipe.lrange(keys.case_follow_ups(cid), 0, -1)
            pipe.exists(keys.claim(cid))
        replies = pipe.execute()
        triples = zip(replies[::3], replies[1::3], replies[2::3], strict=True)
        return [
            _case_from(raw, later, bool(held))
            for raw, later, held in triples
            if raw and b"mention" in raw
        ]

    # conversations -------------------------------------------------------
    def threads_of(self, mentions: list[Mention]) -> dict[str, str]:
        """The case each mention's conversation already has (by the conversation's root, or
        the post it replies to), by mention id; mentions of no known conversation are left out.
        """
        asked: list[tuple[str, str]] = []
        for m in mentions:
            replied = [r.id for r in m.references if r.type is RefType.REPLIED_TO]
            for post in dict.fromkeys([*replied, m.conversation_id or ""]):
                if post and post != m.id:
                    asked.append((m.id, post))
        if not asked:
            return {}
        found = self.redis.mget([keys.thread(post) for _, post in asked])
        threads: dict[str, str] = {}
        for (mention_id, _), case_id in zip(asked, found, strict=True):
            if case_id is not None and case_id.decode() != mention_id:
                threads.setdefault(mention_id, case_id.decode())
        return threads

    def add_follow_up(self, case_id: str, mention: Mention, decision: Decision) -> bool:
        """Join a customer's later post to its case, which now carries `decision`; False if it
        joined before (a retried batch changes nothing twice)."""
        if not self.redis.set(keys.thread(mention.id), case_id, nx=True):
            return False
        carried = decision.model_copy(update={"mention_id": case_id})
        pipe = self.redis.pipeline()
        pipe.rpush(keys.case_follow_ups(case_id), mention.model_dump_json())
        pipe.hset(keys.case(case_id), "decision", carried.model_dump_json())
        if decision.action.needs_person and decision.due:
            pipe.zadd(keys.cases_by_due(), {case_id: decision.due.timestamp()})
        pipe.hincrby(keys.stats(), "mentions", 1)
        pipe.hincrby(keys.stats(), "follow_ups", 1)
        pipe.execute()
        return True

    # claims --------------------------------------------------------------
    def claim(
        self, case_id: str, user: str, lease: timedelta = DEFAULT_LEASE, now: datetime | None = None
    ) -> ClaimResult:
        return self._take(case_id, user, lease, now, over=False)

    def _take(
        self, case_id: str, user: str, lease: timedelta, now: datetime | None, over: bool
    ) -> ClaimResult:
        now = now or _now()
        until = now + lease
        status, holder, previous = (
            value.decode()
            for value in self._claim(
                keys=[keys.case(case_id), keys.claim(case_id)],
                args=[
                    user,
                    max(1, int(lease.total_seconds() * 1000)),
                    until.isoformat(),
                    int(now.timestamp() * 1000),
                    int(until.timestamp() * 1000),
                    "1" if over else "0",
                ],
            )
        )
        if status != "ok":
            return ClaimResult(False, holder or None, status)
        if over:
            self.audit(case_id, user, "take-over", previous=previous, until=until.isoformat())
        else:
            self.audit(case_id, user, "claim", until=until.isoformat())
        return ClaimResult(True, holder)

    def _transition(
        self,
        case_id: str,
        user: str,
        allowed: tuple[CaseState, ...],
        to: CaseState,
        what: str,
        **detail: str,
    ) -> ClaimResult:
        status, holder = self._move(
            keys=[keys.case(case_id), keys.claim(case_id)],
            args=[user, ",".join(allowed), to.value, "1"],
        )
        status, holder = status.decode(), holder.decode() or None
        if status != "ok":
            return ClaimResult(False, holder, status)
        if to in (CaseState.RESOLVED, CaseState.IGNORED):
            self.redis.zrem(keys.cases_by_due(), case_id)
        self.audit(case_id, user, what, **detail)
        return ClaimResult(True, user)

    def release(self, case_id: str, user: str) -> ClaimResult:
        """Give the lease back; only its holder may."""
        return self._transition(case_id, user, (CaseState.CLAIMED,), CaseState.OPEN, "release")

    def close(
        self, case_id: str, user: str, outcome: CaseState = CaseState.RESOLVED, reason: str = ""
    ) -> ClaimResult:
        """Resolve or ignore a case, with the reason people will read on the card."""
        if outcome not in (CaseState.RESOLVED, CaseState.IGNORED):
            raise ValueError(f"a case is closed as resolved or ignored, not {outcome}")
        allowed = (CaseState.OPEN, CaseState.CLAIMED)
        what = "resolve" if outcome is CaseState.RESOLVED else "ignore"
        result = self._transition(case_id, user, allowed, outcome, what, reason=reason)
        if result.ok:
            closed_at = _now().isoformat()
            self.note(
                case_id,
                user,
                None,
                closed_by=user,
                close_reason=reason or None,
                closed_at=closed_at,
            )
        return result

    def take_over(
        self,
        case_id: str,
        lead: str,
        lease: timedelta = DEFAULT_LEASE,
        now: datetime | None = None,
    ) -> ClaimResult:
        """A lead takes a case from its holder in one step; the previous holder is audited."""
        return self._take(case_id, lead, lease, now, over=True)

    def reopen(self, case_id: str, user: str) -> ClaimResult:
        allowed = (CaseState.RESOLVED, CaseState.IGNORED)
        result = self._transition(case_id, user, allowed, CaseState.OPEN, "reopen")
        if result.ok:
            self.note(case_id, user, None, closed_by=None, close_reason=None, closed_at=None)
        case = self.get(case_id) if result.ok else None
        if case and case.decision.due:
            self.redis.zadd(keys.cases_by_due(), {case_id: case.decision.due.timestamp()})
        return result

    def note(self, case_id: str, who: str, what: str | None, **fields: str | None) -> None:
        """Record what was done on a case (reply id, DM, escalation...); audit it if `what`."""
        unknown = set(fields) - set(NOTE_FIELDS)
        if unknown:
            raise ValueError(f"not a case note: {sorted(unknown)}")
        key = keys.case(case_id)
        pipe = self.redis.pipeline()
        present = {k: v for k, v in fields.items() if v is not None}
        if present:
            pipe.hset(key, mapping=present)
        absent = [k for k, v in fields.items() if v is None]
        if absent:
            pipe.hdel(key, *absent)
        pipe.execute()
        if what:
            self.audit(case_id, who, what, **present)

    # cards ---------------------------------------------------------------
    def set_card(self, case_id: str, channel: str, ts: str) -> None:
        self.redis.hset(keys.card(case_id), mapping={"channel": channel, "ts": ts})

    def card(self, case_id: str) -> tuple[str, str] | None:
        raw = self.redis.hgetall(keys.card(case_id))
        if not raw:
            return None
        return raw[b"channel"].decode(), raw[b"ts"].decode()

    # audit and counters --------------------------------------------------
    def audit(self, case_id: str, who: str, what: str, **detail: Any) -> None:
        """Record an action on a case; `self.trail.of_case(case_id)` reads them back."""
        self.trail.record(case_id, who, what, **detail)

    def count(self, name: str, by: int = 1) -> None:
        self.redis.hincrby(keys.stats(), name, by)

    def stats(self) -> dict[str, int]:
        return {k.decode(): int(v) for k, v in self.redis.hgetall(keys.stats()).items()}


NOTE_FIELDS = (
    "reply_id",
    "replied_by",
    "dm_by",
    "escalated_to",
    "closed_by",
    "close_reason",
    "awaiting_approval",
    "approval_ts",
    "closed_at",
    "answered_at",
    "linked_to",
    "rolled_into",
    "remind_at",
    "breached_at",
    "lapsed_by",
    "snoozed_by",
    "on_it_by",
)


TIMES = ("closed_at", "answered_at", "remind_at", "breached_at")


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _case_from(raw: dict[bytes, bytes], follow_ups: list[bytes], held: bool = True) -> Case:
    """A case from its hash; `held`: its claim's lease is still alive in Redis (the key expires
    with the lease, so a case whose lease-end job has not run yet reads as open anyway)."""

    def text(name: str) -> str | None:
        value = raw.get(name.encode())
        return value.decode() if value else None

    until = text("claim_until")
    state = CaseState(text("state") or CaseState.OPEN)
    claimed_by = text("claimed_by") if state is CaseState.CLAIMED else None
    if claimed_by and not held:
        state, claimed_by = CaseState.OPEN, None  # the lease ran out: the case is free again
    return Case(
        mention=Mention.model_validate_json(raw[b"mention"]),
        decision=Decision.model_validate(json.loads(raw[b"decision"])),
        state=state,
        claimed_by=claimed_by,
        claim_until=datetime.fromisoformat(until) if until and claimed_by else None,
        stored_at=datetime.fromisoformat(text("stored_at") or _now().isoformat()),
        follow_ups=tuple(Mention.model_validate_json(m) for m in follow_ups),
        closed_at=_when(text("closed_at")),
        answered_at=_when(text("answered_at")),
        remind_at=_when(text("remind_at")),
        breached_at=_when(text("breached_at")),
        **{name: text(name) for name in NOTE_FIELDS if name not in TIMES},
    )
