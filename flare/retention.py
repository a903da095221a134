"""What Flare keeps about people, and for how long: expiry by age, and forgetting one author."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import redis

from flare import keys
from flare.audit import Audit
from flare.dlq import DeadLetters
from rules.decision import Action
from rules.mention import Mention
from rules.units import handle

CHUNK = 500  # cases or stream entries read per round trip


@dataclass
class Removed:
    """What a sweep or a forget took out of Redis, counted for the person who asked."""

    cases: int = 0
    follow_ups: int = 0
    audit_entries: int = 0
    dead_letters: int = 0
    author_histories: int = 0
    cards_left_in_chat: list[str] = field(default_factory=list)  # "channel ts" of each card

    @property
    def anything(self) -> bool:
        return bool(
            self.cases
            or self.follow_ups
            or self.audit_entries
            or self.dead_letters
            or self.author_histories
        )

    def lines(self) -> list[str]:
        said = [
            f"{self.cases} case(s), with their own audit and follow-ups",
            f"{self.follow_ups} later post(s) in other people's cases",
            f"{self.audit_entries} entry(ies) of the audit of all cases",
            f"{self.dead_letters} dead letter(s)",
            f"{self.author_histories} author history(ies)",
        ]
        if self.cards_left_in_chat:
            said.append(
                f"{len(self.cards_left_in_chat)} card(s) stay in chat, where Flare does not "
                "delete messages: delete them there (channel, ts): "
                + "; ".join(self.cards_left_in_chat)
            )
        return said


@dataclass(frozen=True)
class Subject:
    """The author someone asked about: an X user id, or a handle (with or without "@")."""

    asked: str

    @property
    def handle(self) -> str:
        return handle(self.asked).lower()

    def wrote(self, mention: Mention) -> bool:
        return mention.author.id == self.asked or (
            bool(mention.author.username) and mention.author.username.lower() == self.handle
        )


class Retention:
    """Deletes cases, audit entries and dead letters: by age, or all of one author's."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    # by age ------------------------------------------------------------------------------------
    def expire(self, before: datetime) -> Removed:
        """Delete every case stored before `before` (whatever its state), the entries of the
        audit of all cases written before it, and the dead letters kept since before it."""
        removed = Removed()
        cutoff = before.timestamp()
        while True:
            ids = [
                raw.decode()
                for raw in self.redis.zrangebyscore(
                    keys.cases_by_stored(), "-inf", f"({cutoff}", start=0, num=CHUNK
                )
            ]
            if not ids:
                break
            self._drop_cases(ids, removed, chat=False)
        stale: list[str] = []
        for stream_id, entry in Audit(self.redis).entries():
            if entry.at < before:
                stale.append(stream_id)
            elif int(stream_id.split("-")[0]) > cutoff * 1000 + 3_600_000:
                break  # written an hour past the cutoff: everything after is newer
        removed.audit_entries += self._delete_entries(stale)
        letters = DeadLetters(self.redis)
        letters.upgrade()  # letters an earlier Flare kept unindexed are swept too
        old = [letter.id for letter in letters.all() if datetime.fromisoformat(letter.at) < before]
        removed.dead_letters += letters.drop(*old)
        return removed

    # one person --------------------------------------------------------------------------------
    def forget(self, asked: str) -> Removed:
        """Delete everything Flare holds about one author: their cases (with their own audit,
        follow-ups and card records), their later posts in other cases, their posting history,
        the audit entries naming them or their cases, and the dead letters naming them."""
        person = Subject(asked)
        removed = Removed()
        theirs: list[str] = []
        names = {person.asked, person.handle}
        for key in self.redis.scan_iter(match=keys.case("*"), count=CHUNK, _type="hash"):
            raw = self.redis.hget(key, "mention")
            if raw is None:
                continue
            mention = Mention.model_validate_json(raw)
            if person.wrote(mention):
                theirs.append(mention.id)
                names |= {mention.author.id, mention.author.username.lower()}
        posts = set(theirs)
        their_lists = {keys.case_follow_ups(c) for c in theirs}  # dropped with their cases
        for key in self.redis.scan_iter(match=keys.case_follow_ups("*"), count=CHUNK, _type="list"):
            for raw in self.redis.lrange(key, 0, -1):
                later = Mention.model_validate_json(raw)
                if person.wrote(later):
                    posts.add(later.id)
                    names.add(later.author.id)
                    if key.decode() not in their_lists:
                        removed.follow_ups += self.redis.lrem(key, 0, raw)
                        self.redis.delete(keys.thread(later.id), keys.seen(later.id))
        names.discard("")
        for author_id in names:
            removed.author_histories += int(self.redis.delete(keys.author_events(author_id)))
        for start in range(0, len(theirs), CHUNK):
            self._drop_cases(theirs[start : start + CHUNK], removed, chat=True)
        naming = [
            stream_id
            for stream_id, entry in Audit(self.redis).entries()
            if entry.case in posts or _names(entry.detail.values(), names | posts)
        ]
        removed.audit_entries += self._delete_entries(naming)
        letters = DeadLetters(self.redis)
        letters.upgrade()  # letters an earlier Flare kept unindexed name people too
        naming_them = [
            letter.id
            for letter in letters.all()
            if _names([letter.raw.decode("utf-8", "replace")], names, quoted=True)
        ]
        removed.dead_letters += letters.drop(*naming_them)
        return removed

    # -------------------------------------------------------------------------------------------
    def _drop_cases(self, ids: list[str], removed: Removed, chat: bool) -> None:
        """Delete cases and every key about them; with `chat`, list their cards left in chat."""
        pipe = self.redis.pipeline(transaction=False)
        for cid in ids:
            pipe.hmget(keys.case(cid), "mention", "decision")
            pipe.lrange(keys.case_follow_ups(cid), 0, -1)
            pipe.hgetall(keys.card(cid))
        replies = pipe.execute()
        pipe = self.redis.pipeline(transaction=False)
        for n, cid in enumerate(ids):
            (mention_raw, decision_raw), later, card = replies[3 * n : 3 * n + 3]
            own = {cid} | {Mention.model_validate_json(m).id for m in later}
            if mention_raw:
                author = Mention.model_validate_json(mention_raw).author.id
                pipe.zrem(keys.author_events(author), f"p:{cid}", f"a:{cid}")
            if decision_raw:
                topic = json.loads(decision_raw).get("topic")
                if topic:
                    pipe.zrem(keys.topic_cases(topic), cid)
                    pipe.lrem(keys.incident_cases(topic), 0, cid)
            if chat and card:
                where = f"{card[b'channel'].decode()} {card[b'ts'].decode()}"
                removed.cards_left_in_chat.append(where)
            pipe.delete(
                keys.case(cid),
                keys.case_follow_ups(cid),
                keys.case_audit(cid),
                keys.card(cid),
                keys.claim(cid),
                keys.teams_card(cid),
                keys.case_overdue(cid),
                keys.case_timers(cid),
                *(keys.case_told(cid, action) for action in Action),
                *(keys.seen(post) for post in own),
                *(keys.thread(post) for post in own),
            )
            pipe.zrem(keys.cases_by_due(), cid)
            pipe.zrem(keys.cases_by_stored(), cid)
            pipe.zrem(keys.missed(), cid)  # `flare missed` lists only cases that are there
            removed.cases += 1
        pipe.execute()
        for cid, (mention_raw, _) in zip(ids, replies[::3], strict=True):
            if mention_raw:  # the conversation's root names this case only if no later case
                root = Mention.model_validate_json(mention_raw).conversation_id
                if root and self.redis.get(keys.thread(root)) == cid.encode():
                    self.redis.delete(keys.thread(root))

    def _delete_entries(self, stream_ids: list[str]) -> int:
        deleted = 0
        for start in range(0, len(stream_ids), CHUNK):
            deleted += int(self.redis.xdel(keys.audit(), *stream_ids[start : start + CHUNK]))
        return deleted


def _names(values: Iterable[str], names: set[str], quoted: bool = False) -> bool:
    """Whether any value names one of `names`: equal to it, or in a JSON text as a string."""
    for value in values:
        low = value.lower()
        for name in names:
            if not name:
                continue
            if (f'"{name.lower()}"' in low) if quoted else (low == name.lower()):
                return True
    return False
