"""The spool: mentions `flare listen` could not hand to Redis before it stopped, kept on disk in
the data dir and handed on first thing at its next start."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from rules.mention import Mention

log = logging.getLogger(__name__)

SPOOL_FILE = "listen-spool.jsonl"

Sink = Callable[[list[Mention], str], object]
"""Hands one batch on under a retry token (`Intake.submit_batch`); raises if it did not go."""


@dataclass(frozen=True)
class Held:
    """A mention not handed on, with the token of the batch it was last tried in (None if it
    was never tried): dedupe marks a failed attempt left carry that token, and a later attempt
    under the same token counts them as its own instead of as duplicates."""

    mention: Mention
    token: str | None = None


class Spool:
    """One JSON-lines file, only ever appended to and fsynced, then removed once handed on.

    A line is either a mention with its batch token, or a note that the batch with a token
    went through. A batch noted is not handed on again when a hand-on stops half way; a
    batch not noted is tried again under its own token, which loses nothing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_dir(cls, data_dir: Path) -> Spool:
        return cls(data_dir / SPOOL_FILE)

    def keep(self, held: list[Held], batch_size: int) -> None:
        """Append `held` to the spool and fsync it; raises OSError if it could not be kept."""
        if not held:
            return
        lines = [
            json.dumps({"token": token, "mention": m.model_dump(mode="json")}) + "\n"
            for m, token in _tokened(held, batch_size)
        ]
        with self._locked():
            self._append("".join(lines))

    def hand_on(self, sink: Sink) -> int:
        """Hand every spooled mention on, a batch per token, then remove the spool; returns
        how many went. Raises (the spool kept) if the sink fails."""
        if not self.path.exists():
            return 0
        count = 0
        with self._locked():
            batches, done = self._read()
            for token, mentions in batches.items():
                if token not in done:
                    sink(mentions, token)
                    self._append(json.dumps({"handed_on": token}) + "\n")
                    count += len(mentions)
            self.path.unlink(missing_ok=True)
        return count

    def _read(self) -> tuple[dict[str, list[Mention]], set[str]]:
        batches: dict[str, list[Mention]] = {}
        done: set[str] = set()
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    line = json.loads(raw)
                    if "handed_on" in line:
                        done.add(str(line["handed_on"]))
                        continue
                    mention = Mention.model_validate(line["mention"])
                    batches.setdefault(str(line["token"]), []).append(mention)
                except (ValueError, KeyError, TypeError, ValidationError) as exc:
                    # only a write cut short by a crash leaves such a line: it was never kept
                    log.error("%s:%d: not a spooled mention, skipped: %s", self.path, number, exc)
        return batches, done

    def _append(self, text: str) -> None:
        """Append and fsync (the caller holds the lock)."""
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            data = text.encode()
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_dir(self.path.parent)  # so the file itself survives a crash

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One listener at a time reads or writes the spool of a data dir."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with (self.path.parent / f"{SPOOL_FILE}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _tokened(held: list[Held], batch_size: int) -> Iterator[tuple[Mention, str]]:
    """Each held mention with a token: its own, or one shared by up to `batch_size` untried."""
    fresh, in_fresh = uuid.uuid4().hex, 0
    for h in held:
        if h.token is not None:
            yield h.mention, h.token
            continue
        if in_fresh >= batch_size:
            fresh, in_fresh = uuid.uuid4().hex, 0
        in_fresh += 1
        yield h.mention, fresh


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
