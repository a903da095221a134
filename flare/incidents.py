"""Incidents: one per topic while open, the flood rolled up into it, and its paging chain's state.

Every change that paging depends on is one Lua script, so a scheduled step, an acknowledgement,
a "can't take it" and a close are ordered by Redis: a step that fires after an acknowledgement
or a close, or that an earlier step or a pass made stale, pages nobody.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import redis

from flare import keys
from rules.crisis import Chain

SAMPLE_SIZE = 5
ARRIVALS_READ = 2_000  # the latest arrivals read with an incident: its rate and timeline
KEPT_CASES = 200  # case ids listed on an incident, newest first; the count covers them all
CLOSED_TTL = 30 * 86_400  # seconds a closed incident's record is kept

# Open the topic's incident, or join the one open; count the case into it.
# KEYS: incident hash, open topics set, incident cases list, incident arrivals (sorted set).
# ARGV: topic, case id ('' for none), opened at (ISO), incident id, chain JSON, first token,
#       cause, epoch seconds of the case, '1' if the case is a complaint.
# Returns {1 if this opened it else 0, incident id, token of the first step}.
_OPEN = """
local opened = 0
if redis.call('HSETNX', KEYS[1], 'opened_at', ARGV[3]) == 1 then
  redis.call('HSET', KEYS[1], 'id', ARGV[4], 'topic', ARGV[1], 'state', 'open', 'chain', ARGV[5],
             'step', 0, 'token', ARGV[6], 'cause', ARGV[7], 'count', 0)
  redis.call('SADD', KEYS[2], ARGV[1])
  opened = 1
end
if ARGV[2] ~= '' and redis.call('ZADD', KEYS[4], 'NX', ARGV[8], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'count', 1)
  if ARGV[9] == '1' then redis.call('HINCRBY', KEYS[1], 'complaints', 1) end
  redis.call('LPUSH', KEYS[3], ARGV[2])
  redis.call('LTRIM', KEYS[3], 0, 199)
end
return {opened, redis.call('HGET', KEYS[1], 'id'), redis.call('HGET', KEYS[1], 'token')}
"""

# Take step ARGV[2] of the chain for sending, once.
# KEYS: incident hash. ARGV: incident id, step, token the step carries, token for the next step.
# Returns 'go' (send it), 'resume' (this very job claimed it before and is retried), or why not:
# 'gone' (closed or another incident), 'acked', 'stale' (a later step or a pass replaced it).
_CLAIM_STEP = """
local id, state, step, token, claimed = unpack(redis.call('HMGET', KEYS[1], 'id', 'state',
                                                          'step', 'token', 'claimed'))
if id ~= ARGV[1] then return 'gone' end
if state ~= 'open' then return 'acked' end
if claimed == ARGV[3] then return 'resume' end
if tonumber(step) ~= tonumber(ARGV[2]) or token ~= ARGV[3] then return 'stale' end
redis.call('HSET', KEYS[1], 'step', tonumber(step) + 1, 'token', ARGV[4], 'claimed', ARGV[3])
return 'go'
"""

# Acknowledge: the chain stops at once (the token no scheduled step carries).
# KEYS: incident hash. ARGV: incident id ('' for whichever is open), user, at (ISO).
# Returns {status, who acknowledged}; status is ok, already or closed.
_ACK = """
local id, state, by = unpack(redis.call('HMGET', KEYS[1], 'id', 'state', 'acked_by'))
if not id or (ARGV[1] ~= '' and id ~= ARGV[1]) then return {'closed', ''} end
if state == 'acked' then return {'already', by} end
redis.call('HSET', KEYS[1], 'state', 'acked', 'acked_by', ARGV[2], 'acked_at', ARGV[3],
           'token', '')
return {'ok', ARGV[2]}
"""

# Can't take it: the next step goes out now; the scheduled one becomes stale.
# KEYS: incident hash. ARGV: incident id ('' for whichever is open), new token.
# Returns {status, incident id, the step to page now}; status is ok, acked or closed.
_PASS = """
local id, state, step = unpack(redis.call('HMGET', KEYS[1], 'id', 'state', 'step'))
if not id or (ARGV[1] ~= '' and id ~= ARGV[1]) then return {'closed', '', 0} end
if state ~= 'open' then return {'acked', id, 0} end
redis.call('HSET', KEYS[1], 'token', ARGV[2])
return {'ok', id, tonumber(step)}
"""

# Re-arm an acknowledged incident that jumped: the chain starts again unless someone
# acknowledges anew before the step carrying ARGV[2] fires.
# KEYS: incident hash. ARGV: incident id, new token, at (ISO).
# Returns who had acknowledged, or '' if the incident is not acknowledged (any more).
_REARM = """
local id, state, by = unpack(redis.call('HMGET', KEYS[1], 'id', 'state', 'acked_by'))
if id ~= ARGV[1] or state ~= 'acked' then return '' end
redis.call('HSET', KEYS[1], 'state', 'open', 'step', 0, 'token', ARGV[2], 'claimed', '',
           'rearmed_at', ARGV[3], 'rearmed_for', by)
return by
"""

# Close: the incident becomes a record; no step pages again, the topic may open a new one.
# KEYS: incident hash, open topics set, record hash, incident cases, record cases, arrivals,
#       record arrivals.
# ARGV: topic, incident id ('' for whichever is open), user, at (ISO), summary, record TTL.
# Returns {status, incident id}; status is ok or closed.
_CLOSE = """
local id = redis.call('HGET', KEYS[1], 'id')
if not id or (ARGV[2] ~= '' and id ~= ARGV[2]) then return {'closed', ''} end
redis.call('HSET', KEYS[1], 'state', 'closed', 'closed_by', ARGV[3], 'closed_at', ARGV[4],
           'summary', ARGV[5], 'token', '')
redis.call('RENAME', KEYS[1], KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[6])
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('RENAME', KEYS[4], KEYS[5])
  redis.call('EXPIRE', KEYS[5], ARGV[6])
end
if redis.call('EXISTS', KEYS[6]) == 1 then
  redis.call('RENAME', KEYS[6], KEYS[7])
  redis.call('EXPIRE', KEYS[7], ARGV[6])
end
redis.call('SREM', KEYS[2], ARGV[1])
return {'ok', id}
"""


@dataclass(frozen=True)
class Incident:
    topic: str
    opened_at: datetime
    count: int
    recent: tuple[str, ...]  # the latest case ids, newest first
    id: str = ""
    state: str = "open"  # open, acked or closed
    chain: Chain | None = None  # copied from the playbook when it opened
    step: int = 0  # the next step of the chain to page
    cause: str = ""
    acked_by: str | None = None
    acked_at: datetime | None = None
    paged: str | None = None  # the contact paged last, by name
    paged_at: datetime | None = None
    arrivals: tuple[float, ...] = ()  # epoch seconds of the latest cases counted, newest first
    acked_rate: int = 0  # cases per minute when it was acknowledged
    complaints: int = 0  # how many of the cases counted the rules read as complaints
    rearmed_for: str | None = None  # who acknowledged before a jump re-armed the chain

    def rate(self, now: datetime) -> int:
        """Cases counted in the last minute."""
        since = now.timestamp() - 60
        return sum(1 for at in self.arrivals if at > since)

    def per_minute(self, now: datetime, minutes: int = 10) -> list[int]:
        """Cases counted in each of the last `minutes` minutes, oldest minute first."""
        end = now.timestamp()
        buckets = [0] * minutes
        for at in self.arrivals:
            back = int((end - at) // 60)
            if 0 <= back < minutes:
                buckets[minutes - 1 - back] += 1
        return buckets

    statements: tuple[str, ...] = ()  # X post ids of the statements posted, oldest first
    draft_by: str | None = None  # who drafted the statement awaiting approval, if one does

    @property
    def acknowledged(self) -> bool:
        return self.state == "acked"


def read_incident(pipe: redis.client.Pipeline, topic: str) -> None:
    """Queue the reads of one incident on a pipeline; `incident_from` makes its replies one."""
    pipe.hgetall(keys.incident(topic))
    pipe.lrange(keys.incident_cases(topic), 0, SAMPLE_SIZE - 1)
    pipe.zrevrangebyscore(
        keys.incident_arrivals(topic), "+inf", "-inf", start=0, num=ARRIVALS_READ, withscores=True
    )


READS = 3  # replies `read_incident` queues per incident


def incident_from(
    topic: str,
    raw: dict[bytes, bytes],
    recent: list[bytes],
    arrivals: list[tuple[bytes, float]] | None = None,
) -> Incident | None:
    """The incident from the replies of `read_incident`; None if it is not open (any more)."""
    if not raw or b"opened_at" not in raw:
        return None

    def text(name: str) -> str | None:
        value = raw.get(name.encode())
        return value.decode() if value else None

    def when(name: str) -> datetime | None:
        value = text(name)
        return datetime.fromisoformat(value) if value else None

    chain = text("chain")
    return Incident(
        topic=topic,
        opened_at=datetime.fromisoformat(raw[b"opened_at"].decode()),
        count=int(raw.get(b"count", b"0")),
        recent=tuple(r.decode() for r in recent),
        id=text("id") or topic,
        state=text("state") or "open",
        chain=Chain.model_validate_json(chain) if chain else None,
        step=int(text("step") or 0),
        cause=text("cause") or "",
        acked_by=text("acked_by"),
        acked_at=when("acked_at"),
        paged=text("paged"),
        paged_at=when("paged_at"),
        arrivals=tuple(at for _, at in arrivals or ()),
        acked_rate=int(text("acked_rate") or 0),
        complaints=int(text("complaints") or 0),
        rearmed_for=text("rearmed_for"),
        statements=tuple((text("statements") or "").split()),
        draft_by=text("draft_by"),
    )


@dataclass(frozen=True)
class Opened:
    opened: bool  # this call opened the incident (its first step must be paged now)
    id: str
    token: str  # what the first step carries


def new_token() -> str:
    return secrets.token_hex(8)


class Incidents:
    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._open = client.register_script(_OPEN)
        self._claim = client.register_script(_CLAIM_STEP)
        self._ack = client.register_script(_ACK)
        self._pass = client.register_script(_PASS)
        self._close = client.register_script(_CLOSE)
        self._rearm = client.register_script(_REARM)

    def join(
        self,
        topic: str,
        case_id: str | None,
        at: datetime,
        chain: Chain | None = None,
        cause: str = "",
        complaint: bool = False,
    ) -> Opened:
        """Count a case into the topic's open incident (once per case), opening it, with the
        chain copied onto it so a later edit of the playbook changes no page in flight, if none
        is open."""
        opened, incident_id, token = self._open(
            keys=[
                keys.incident(topic),
                keys.incidents_open(),
                keys.incident_cases(topic),
                keys.incident_arrivals(topic),
            ],
            args=[
                topic,
                case_id or "",
                at.isoformat(),
                f"{topic}-{int(at.timestamp())}-{secrets.token_hex(2)}",  # two in a second differ
                (chain or Chain(topic=topic)).model_dump_json(),
                new_token(),
                cause,
                at.timestamp(),
                "1" if complaint else "0",
            ],
        )
        return Opened(bool(opened), incident_id.decode(), token.decode())

    def fold(self, topic: str, cases: dict[str, float], complaints: int = 0) -> int:
        """Count cases that came before the incident opened into it (case id → epoch seconds;
        `complaints` of them complaints); returns how many were new to it."""
        if not cases:
            return 0
        new = int(self.redis.zadd(keys.incident_arrivals(topic), cases, nx=True))
        pipe = self.redis.pipeline()
        pipe.hincrby(keys.incident(topic), "count", new)
        pipe.hincrby(keys.incident(topic), "complaints", min(complaints, new))
        oldest_first = sorted(cases, key=cases.__getitem__)
        pipe.rpush(keys.incident_cases(topic), *oldest_first[::-1])
        pipe.ltrim(keys.incident_cases(topic), 0, KEPT_CASES - 1)
        pipe.execute()
        return new

    def open_topics(self) -> set[str]:
        """The topics with an incident open now."""
        return {raw.decode() for raw in self.redis.smembers(keys.incidents_open())}

    def get(self, topic: str) -> Incident | None:
        pipe = self.redis.pipeline()
        read_incident(pipe, topic)
        return incident_from(topic, *pipe.execute())

    def claim_step(self, topic: str, incident_id: str, step: int, token: str) -> tuple[str, str]:
        """Whether step `step` may be sent now, and the token its successor will carry."""
        successor = new_token()
        status = self._claim(
            keys=[keys.incident(topic)], args=[incident_id, step, token, successor]
        ).decode()
        if status == "resume":
            current = self.redis.hget(keys.incident(topic), "token")
            successor = current.decode() if current else ""
        return status, successor

    def paged(self, topic: str, name: str, at: datetime) -> None:
        """Say on the incident who was paged last, for its card."""
        self.redis.hset(keys.incident(topic), mapping={"paged": name, "paged_at": at.isoformat()})

    def acknowledge(
        self, topic: str, user: str, at: datetime, incident_id: str = ""
    ) -> tuple[str, str]:
        """Stop the chain; returns ok, already (and who did) or closed."""
        status, by = self._ack(
            keys=[keys.incident(topic)], args=[incident_id, user, at.isoformat()]
        )
        return status.decode(), by.decode()

    def rearm(self, topic: str, incident_id: str, at: datetime) -> tuple[str, str]:
        """After a jump: who had acknowledged (to be told) and the token of the step that
        restarts the chain; ("", "") if it is not acknowledged."""
        token = new_token()
        by = self._rearm(keys=[keys.incident(topic)], args=[incident_id, token, at.isoformat()])
        return (by.decode(), token) if by else ("", "")

    def note_rate(self, topic: str, per_minute: int) -> None:
        """The rate when it was acknowledged: a jump is measured against it."""
        self.redis.hset(keys.incident(topic), "acked_rate", per_minute)

    def pass_on(self, topic: str, incident_id: str = "") -> tuple[str, str, int, str]:
        """Make the scheduled step stale; returns status, the incident id, the step to page now
        and the token it carries."""
        token = new_token()
        status, found_id, step = self._pass(keys=[keys.incident(topic)], args=[incident_id, token])
        return status.decode(), found_id.decode(), int(step), token

    def close(
        self, topic: str, user: str, at: datetime, summary: str, incident_id: str = ""
    ) -> tuple[str, str]:
        current = self.redis.hget(keys.incident(topic), "id")
        record = current.decode() if current else incident_id or topic
        status, closed_id = self._close(
            keys=[
                keys.incident(topic),
                keys.incidents_open(),
                keys.incident_record(record),
                keys.incident_cases(topic),
                keys.incident_record_cases(record),
                keys.incident_arrivals(topic),
                keys.incident_record_arrivals(record),
            ],
            args=[topic, incident_id or record, user, at.isoformat(), summary, CLOSED_TTL],
        )
        return status.decode(), closed_id.decode()
