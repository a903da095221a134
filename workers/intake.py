"""Intake: normalise, dedupe and batch mentions for triage; dead-letter what can't be read."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import redis
from rq import Callback

from flare import keys
from flare.defaults import TRIAGE_RETRY
from flare.dlq import DeadLetters
from flare.http import Wsgi
from flare.jobs import Job, enqueue
from flare.lines import HEAD_BYTES, lines, looks_like
from flare.metrics import Tally
from flare.queues import QueueName
from flare.settings import Settings
from rules.mention import Mention, Source
from rules.normalize import read_payload
from rules.playbook import load_playbook
from rules.screen import Screen
from workers.webhook import build_intake_endpoint

DEDUPE_WINDOW = timedelta(days=14)
DEDUPE_TTL = int(DEDUPE_WINDOW.total_seconds())
BATCH_SIZE = 100
HEAD_LINES = 10  # a file whose first this many lines are all unreadable is not read further


@dataclass
class IntakeReport:
    read: int = 0
    new: int = 0
    duplicates: int = 0
    dead: list[tuple[str, str]] = field(default_factory=list)  # (where, error)
    stopped: bool = False  # a file's first lines were all unreadable: the rest was not read
    looks_like: str | None = None  # when nothing in a file read: what the file seems to be


class Intake:
    """The one way into triage, whatever the source.

    With a `screen`, the posts it picks out (a risk phrase, someone in danger, a VIP) go to
    triage on a queue of their own that the workers take first, so a legal threat is decided
    in seconds however many ordinary posts are queued before it.
    """

    def __init__(
        self, client: redis.Redis, batch_size: int = BATCH_SIZE, screen: Screen | None = None
    ) -> None:
        self.redis = client
        self.batch_size = batch_size
        self.screen = screen
        self.dead_letters = DeadLetters(client)

    @classmethod
    def for_settings(
        cls, settings: Settings, client: redis.Redis, batch_size: int = BATCH_SIZE
    ) -> Intake:
        """Intake with the screen of the playbook the workers use."""
        return cls(client, batch_size, Screen(load_playbook(settings.playbook)))

    def parse(self, raw: bytes, source: Source, where: str, report: IntakeReport) -> list[Mention]:
        """Read one payload; on failure keep it as a dead letter and say where and why."""
        mentions, error = read_payload(raw, source)
        if error:
            self.dead_letters.push(raw, source.value, where, error)
            report.dead.append((where, error))
        return mentions

    def submit(self, mentions: Iterable[Mention], report: IntakeReport) -> None:
        """Enqueue the mentions not seen before, in batches; each post is triaged once."""
        batch: list[Mention] = []
        for mention in mentions:
            report.read += 1
            batch.append(mention)
            if len(batch) >= self.batch_size:
                self._flush(batch, report)
                batch = []
        if batch:
            self._flush(batch, report)

    def take(self, mentions: list[Mention]) -> IntakeReport:
        """Take in mentions already read (deduped, queued for triage) and say what happened."""
        report = IntakeReport()
        self.submit(mentions, report)
        return report

    def submit_batch(self, batch: list[Mention], token: str) -> IntakeReport:
        """Take in one batch that may be tried again after a Redis error (the batcher's sink).

        The dedupe marks carry `token`: a retry of the same batch with the same token counts the
        marks its failed attempt left as its own, so a half-done attempt loses nothing.
        """
        report = IntakeReport(read=len(batch))
        for start in range(0, len(batch), self.batch_size):
            self._flush(batch[start : start + self.batch_size], report, token=token)
        return report

    def _flush(self, batch: list[Mention], report: IntakeReport, token: str | None = None) -> None:
        unique = _first_of_each(batch)
        pipe = self.redis.pipeline()
        for mention in unique:
            pipe.set(keys.seen(dedupe_id(mention)), token or 1, nx=True, ex=DEDUPE_TTL)
        marked = pipe.execute()
        if token is not None and not all(marked):
            # a mark holding our own token was left by an earlier attempt of this very batch
            owners = self.redis.mget([keys.seen(dedupe_id(m)) for m in unique])
            mine = token.encode()
            marked = [new or owner == mine for new, owner in zip(marked, owners, strict=True)]
        fresh = [m for m, was_new in zip(unique, marked, strict=True) if was_new]
        report.duplicates += len(batch) - len(fresh)
        if not fresh:
            return
        picked = [self.screen is not None and self.screen.urgent(m) for m in fresh]
        lanes = [
            (QueueName.URGENT, [m for m, u in zip(fresh, picked, strict=True) if u]),
            (QueueName.TRIAGE, [m for m, u in zip(fresh, picked, strict=True) if not u]),
        ]
        try:
            for lane, mentions in lanes:
                if mentions:
                    enqueue(
                        self.redis,
                        Job.TRIAGE_BATCH,
                        [m.model_dump(mode="json") for m in mentions],
                        on=lane,
                        failure_ttl=DEDUPE_TTL,
                        retry=TRIAGE_RETRY,
                        on_failure=Callback(Job.TRIAGE_FAILED.value),
                    )
        except redis.RedisError:
            self.redis.delete(*[keys.seen(dedupe_id(m)) for m in fresh])  # let a retry try
            raise
        Tally(self.redis).count("received", len(fresh))
        report.new += len(fresh)

    def replay_file(
        self,
        path: Path,
        report: IntakeReport | None = None,
        progress: Callable[[int], None] | None = None,
        through: Callable[[Iterator[Mention]], Iterator[Mention]] | None = None,
    ) -> IntakeReport:
        """Take in a JSON-lines file; a bad line is kept with its number, the rest go on.

        Mentions are handed on in batches as the file is read; `progress` is told how many
        bytes of the file each line took, to show how far the replay has got; `through` sees
        each mention on its way (the replay counts those too old to push).
        """
        report = report or IntakeReport()
        read = self.read_file(path, report, progress)
        self.submit(through(read) if through else read, report)
        if report.dead and not report.read:
            with path.open("rb") as handle:
                report.looks_like = looks_like(handle.read(HEAD_BYTES))
        return report

    def read_file(
        self, path: Path, report: IntakeReport, progress: Callable[[int], None] | None = None
    ) -> Iterator[Mention]:
        """The mentions of a JSON-lines file as it is read; a bad line is kept with its number,
        a line over `MAX_LINE_BYTES` as its first `KEPT_BYTES` only. A file whose first
        `HEAD_LINES` lines are all unreadable is not read further: it is the wrong file."""
        read_one = False  # a line has read: the file is JSON lines, whatever the others are
        unreadable = 0
        with path.open("rb") as handle:
            for line in lines(handle):
                where = f"{path.name}:{line.number}"
                dead = len(report.dead)
                if line.too_long:  # kept short: its start says which line it was
                    self.dead_letters.push(line.raw, Source.REPLAY.value, where, line.refusal())
                    report.dead.append((where, line.refusal()))
                elif line.raw.strip():
                    yield from self.parse(line.raw, Source.REPLAY, where, report)
                if progress:
                    progress(line.size)
                if len(report.dead) == dead:
                    read_one = read_one or bool(line.raw.strip())
                elif not read_one and (unreadable := unreadable + 1) >= HEAD_LINES:
                    report.stopped = True  # the wrong file: a CSV would make a letter a line
                    return

    def replay_dead_letter(self, record_id: str, report: IntakeReport) -> str | None:
        """Try a dead letter again; it leaves the list only if it now reads. Returns the error."""
        letter = self.dead_letters.get(record_id)
        if letter is None:
            return f"no dead letter {record_id}"
        mentions, error = read_payload(letter.raw, Source(letter.source))
        if error:
            return error
        self.submit(mentions, report)
        self.dead_letters.remove(record_id)
        return None


def _first_of_each(batch: list[Mention]) -> list[Mention]:
    """The batch without its repeats (a post and its edit in one batch), order kept."""
    ids: set[str] = set()
    out = []
    for mention in batch:
        if (key := dedupe_id(mention)) not in ids:
            ids.add(key)
            out.append(mention)
    return out


def dedupe_id(mention: Mention) -> str:
    """The id a post is known by across edits: an edit arrives with a new id but the same first
    entry in its edit history."""
    return mention.edit_history_ids[0] if mention.edit_history_ids else mention.id


def webhook_routes(settings: Settings, client: redis.Redis) -> dict[str, Wsgi]:
    """`POST /intake` for a server other than the listener (the bot's), when a secret is set.

    Mentions posted there go straight to Redis through `Intake`, with the same dedupe as
    every other source; the listener serves the same endpoint through its batcher.
    """
    secret = settings.intake.webhook_secret
    if secret is None:
        return {}
    endpoint = build_intake_endpoint(
        Intake.for_settings(settings, client),
        secret.get_secret_value(),
        settings.intake.webhook_max_bytes,
        time.time,
        max_age=settings.intake.webhook_max_age,
    )
    return {"/intake": endpoint}
