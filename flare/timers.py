"""A case's timers: the reminder, the breach at its target, the chain after it, the lease's end.

Each timer is a scheduled job that carries a token. The case's timer hash in Redis says which
token each timer wants now, and one Lua script lets a job fire only while its token is wanted
and its timer has not fired: a job scheduled twice, retried after it sent, or left behind by a
restarted clock (the customer wrote again) or a snooze, does nothing. Redis keeps the hash and
RQ's scheduled jobs in its AOF, so a restart of Redis or of the workers loses no timer either.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import redis
from rq.exceptions import DuplicateJobError

from flare import defaults, keys
from flare.case import Case, CaseState
from flare.jobs import Job, enqueue_at, job_id
from flare.time import Clock, utcnow
from rules.playbook import Playbook
from rules.targets import Clockwork

REMIND, BREACH = "remind", "breach"


def step_name(index: int) -> str:
    """The timer of step `index` (1-based) of the breach chain."""
    return f"step{index}"


# Fire a timer once. KEYS: the case's timer hash. ARGV: timer, token.
# The chain's steps want the breach's token, and stop once someone acts or acknowledges.
# Returns go (fire it), resume (this token's run was cut short: finish it), or why not: stale
# (another token is wanted), stopped, done (it fired).
_CLAIM = """
local wanted = ARGV[1]
if string.sub(ARGV[1], 1, 4) == 'step' then wanted = 'breach' end
if redis.call('HGET', KEYS[1], 'want:' .. wanted) ~= ARGV[2] then return 'stale' end
if wanted ~= ARGV[1] and redis.call('HGET', KEYS[1], 'stopped') then return 'stopped' end
local fired = redis.call('HGET', KEYS[1], 'fired:' .. ARGV[1])
if fired == ARGV[2] .. ':done' then return 'done' end
if fired == ARGV[2] then return 'resume' end
redis.call('HSET', KEYS[1], 'fired:' .. ARGV[1], ARGV[2])
return 'go'
"""

# A timer's work is done. KEYS: the timer hash. ARGV: timer, token.
_DONE = """
if redis.call('HGET', KEYS[1], 'fired:' .. ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], 'fired:' .. ARGV[1], ARGV[2] .. ':done')
end
return 1
"""

# Stop the breach chain, once the case has breached. KEYS: the timer hash. ARGV: who.
# Returns 1 if this stopped it, 0 if it had not breached or was stopped before.
_STOP = """
if not redis.call('HGET', KEYS[1], 'fired:breach') then return 0 end
if redis.call('HGET', KEYS[1], 'stopped') then return 0 end
redis.call('HSET', KEYS[1], 'stopped', ARGV[1])
return 1
"""

# Put the reminder off. KEYS: the timer hash. ARGV: new token, until (ISO), until (epoch s),
# breach (epoch s). Returns ok (moved), dropped (it would fall after the breach, which tells
# everyone anyway) or none (no reminder is waiting).
_SNOOZE = """
local want = redis.call('HGET', KEYS[1], 'want:remind')
if not want or want == '' then return 'none' end
if redis.call('HGET', KEYS[1], 'fired:remind') then return 'none' end
if tonumber(ARGV[3]) >= tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'want:remind', '')
  return 'dropped'
end
redis.call('HSET', KEYS[1], 'want:remind', ARGV[1], 'remind_at', ARGV[2])
return 'ok'
"""

# Release a claim whose lease ran out, unless it was renewed or handed on meanwhile.
# KEYS: case hash, claim. ARGV: the lease's end (epoch ms) the job was scheduled for, now (ms).
# Returns the holder it released, or '' if the case is no longer held on that lease.
_LAPSE = """
local state, holder, ends = unpack(redis.call('HMGET', KEYS[1], 'state', 'claimed_by',
                                              'claim_until_ms'))
if state ~= 'claimed' or ends ~= ARGV[1] then return '' end
if tonumber(ARGV[2]) < tonumber(ends) then return '' end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'state', 'open', 'lapsed_by', holder or '')
redis.call('HDEL', KEYS[1], 'claimed_by', 'claim_until', 'claim_until_ms')
return holder or ''
"""

TIMERS_TTL = int(timedelta(days=30).total_seconds())  # a case's timers outlive any target


def default_clockwork() -> Clockwork:
    return Playbook().clockwork()


@dataclass
class Timers:
    """Arms, snoozes and stops a case's timers; the jobs in workers.timers fire them."""

    redis: redis.Redis
    clockwork: Clockwork = field(default_factory=default_clockwork)
    clock: Clock = utcnow

    def __post_init__(self) -> None:
        self._claim = self.redis.register_script(_CLAIM)
        self._done = self.redis.register_script(_DONE)
        self._stop = self.redis.register_script(_STOP)
        self._snooze = self.redis.register_script(_SNOOZE)
        self._lapse = self.redis.register_script(_LAPSE)

    @property
    def lease(self) -> timedelta:
        return self.clockwork.timers.lease

    # arming -------------------------------------------------------------------------------
    def arm(self, case: Case, restart: bool = False) -> datetime | None:
        """Schedule the case's reminder and its breach; returns the breach time, or None.

        Armed once per case: a second card or a retried job changes nothing. `restart`: the
        customer wrote again or the case was reopened, so every timer starts over with a new
        token and the ones scheduled before do nothing when they come.

        A case found past its target (a backfill) is given its target's length from now before
        it breaches, or a backfill would breach every card at once.
        """
        key = keys.case_timers(case.id)
        if restart:
            self.redis.delete(key, keys.case_overdue(case.id))
        d = case.decision
        if d.due is None or d.priority is None or case.state not in OPEN:
            return None
        token = secrets.token_hex(8)
        if not self.redis.hsetnx(key, "want:breach", token):
            return None  # armed before
        now = self.clock()
        priority = d.priority.value
        start = now if d.late else case.posts[-1].created_at
        breach = self.clockwork.due(priority, now) if d.late else d.due
        remind = self.clockwork.reminder(priority, start, breach)
        fields = {"breach_at": breach.isoformat(), "priority": priority}
        if remind is not None and now < remind < breach:
            fields |= {"want:remind": token, "remind_at": remind.isoformat()}
            self._schedule(remind, Job.REMIND, case.id, token, name=f"remind-{token}")
        self.redis.hset(key, mapping=fields)
        self.redis.expire(key, TIMERS_TTL)
        self._schedule(breach, Job.BREACH, case.id, token, name=f"breach-{token}")
        return breach

    def remind_at(self, case_id: str) -> datetime | None:
        """When the reminder is due, while one waits."""
        raw = self.redis.hmget(keys.case_timers(case_id), "want:remind", "remind_at")
        if not raw[0] or not raw[1]:
            return None
        return datetime.fromisoformat(raw[1].decode())

    def breach_at(self, case_id: str) -> datetime | None:
        raw = self.redis.hget(keys.case_timers(case_id), "breach_at")
        return datetime.fromisoformat(raw.decode()) if raw else None

    def schedule_step(self, case_id: str, token: str, index: int, breach: datetime) -> bool:
        """Schedule step `index` of the breach chain; False past the last step."""
        raw = self.redis.hget(keys.case_timers(case_id), "priority")
        when = self.clockwork.step(raw.decode() if raw else "P1", breach, index)
        if when is None:
            return False
        self._schedule(
            when, Job.BREACH_STEP, case_id, token, index, name=f"{step_name(index)}-{token}"
        )
        return True

    def _schedule(self, when: datetime, job: Job, case_id: str, *args: object, name: str) -> None:
        with contextlib.suppress(DuplicateJobError):  # scheduled before: once is enough
            enqueue_at(
                self.redis,
                when + timedelta(seconds=1),  # RQ counts whole seconds: never too early
                job,
                case_id,
                *args,
                job_id=job_id(name, case_id),
                unique=True,
                retry=defaults.DUE_RETRY,
            )

    # firing -------------------------------------------------------------------------------
    def wanted(self, case_id: str, timer: str, token: str) -> bool:
        """Whether the timer still wants this token (a look only: `claim` takes it)."""
        field = "want:remind" if timer == REMIND else "want:breach"
        raw = self.redis.hget(keys.case_timers(case_id), field)
        return raw is not None and raw.decode() == token

    def claim(self, case_id: str, timer: str, token: str) -> str:
        """Whether a timer's job may fire: go, resume, or stale, stopped or done."""
        found = self._claim(keys=[keys.case_timers(case_id)], args=[timer, token])
        return str(found.decode() if isinstance(found, bytes) else found)

    def done(self, case_id: str, timer: str, token: str) -> None:
        """The timer did what it had to: a later run of its job does nothing."""
        self._done(keys=[keys.case_timers(case_id)], args=[timer, token])

    # people act ---------------------------------------------------------------------------
    def stop(self, case_id: str, who: str) -> bool:
        """Someone acted on or acknowledged a breached case: its chain tells nobody more.
        True if this stopped it."""
        return bool(self._stop(keys=[keys.case_timers(case_id)], args=[who]))

    def stopped_by(self, case_id: str) -> str | None:
        raw = self.redis.hget(keys.case_timers(case_id), "stopped")
        return raw.decode() if raw else None

    def breached(self, case_id: str) -> bool:
        return bool(self.redis.hexists(keys.case_timers(case_id), "fired:breach"))

    def snooze(self, case_id: str) -> tuple[str, datetime | None]:
        """Put the waiting reminder off by the playbook's snooze: ("ok", when it now falls),
        ("dropped", None) if that would be after the breach, ("none", None) if none waits."""
        breach = self.breach_at(case_id)
        if breach is None:
            return "none", None
        until = self.clock() + self.clockwork.timers.snooze
        token = secrets.token_hex(8)
        status = self._snooze(
            keys=[keys.case_timers(case_id)],
            args=[token, until.isoformat(), until.timestamp(), breach.timestamp()],
        ).decode()
        if status != "ok":
            return status, None
        self._schedule(until, Job.REMIND, case_id, token, name=f"remind-{token}")
        return status, until

    # the lease ----------------------------------------------------------------------------
    def watch_lease(self, case_id: str, until: datetime) -> None:
        """At the end of a claim's lease a job releases the case, unless it was renewed."""
        until_ms = str(int(until.timestamp() * 1000))
        self._schedule(until, Job.LEASE_END, case_id, until_ms, name=f"lease-{until_ms}")

    def lapse(self, case_id: str, until_ms: str) -> str | None:
        """Release the case if it is still held on the lease ending at `until_ms`; the holder."""
        now_ms = int(self.clock().timestamp() * 1000)
        holder = self._lapse(
            keys=[keys.case(case_id), keys.claim(case_id)], args=[until_ms, now_ms]
        ).decode()
        return holder or None


OPEN = (CaseState.OPEN, CaseState.CLAIMED)
