"""Lines of a JSON-lines file, read one at a time and each bounded: a huge line is never held."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from flare.defaults import KEPT_BYTES, MAX_LINE_BYTES

_DRAIN = 64 * 1024  # bytes read at a time while skipping the rest of an over-long line


@dataclass(frozen=True)
class Line:
    """One line: its bytes without the line end, or only the first of them if it is too long."""

    number: int  # 1-based
    raw: bytes
    size: int  # bytes it took in the file, line end included (for progress)
    too_long: bool = False

    def refusal(self, limit: int = MAX_LINE_BYTES) -> str:
        """What is wrong with an over-long line, as a dead letter or an error line says it."""
        return (
            f"line of {self.size} bytes is over the limit of {limit}: not read "
            f"(its first {len(self.raw)} bytes are kept)"
        )


def lines(handle: BinaryIO, limit: int = MAX_LINE_BYTES, kept: int = KEPT_BYTES) -> Iterator[Line]:
    """Every line of `handle`; one longer than `limit` bytes is skipped to its end, never read
    whole, and comes back with `too_long` set and only its first `kept` bytes."""
    number = 0
    while chunk := handle.readline(limit + 1):
        number += 1
        if chunk.endswith(b"\n") or len(chunk) <= limit:
            yield Line(number, chunk.rstrip(b"\r\n"), len(chunk))
            continue
        size = len(chunk)
        piece = chunk
        while not piece.endswith(b"\n") and (piece := handle.readline(_DRAIN)):
            size += len(piece)
        yield Line(number, chunk[:kept], size, too_long=True)


HEAD_BYTES = 4096  # of a file's start, read to say what it looks like
_WANTED = "not JSON lines (one X API v2 message or Flare mention a line, docs/intake.md)"


def looks_like(head: bytes) -> str:
    """What a file none of whose first lines reads seems to be, from its first bytes: the
    mistakes people make (a CSV export, a JSON array, an HTML error page, a gzip file)."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    stripped = text.lstrip()
    first = stripped.split(b"\n", 1)[0].strip()
    lower = stripped[:512].lower()
    if not stripped:
        return "the file is empty"
    if text.startswith(b"\x1f\x8b"):
        return f"this looks like a gzip file, {_WANTED}: unpack it first (gunzip)"
    if text.startswith(b"PK\x03\x04"):
        return f"this looks like a zip archive, {_WANTED}: unpack it first"
    if b"\0" in text or not _utf8(text):
        return f"this looks like binary data, {_WANTED}"
    if lower.startswith(b"<!doctype html") or b"<html" in lower:
        return f"this looks like an HTML page, {_WANTED}: an error page saved in place of the file?"
    if stripped.startswith(b"<"):
        return f"this looks like XML, {_WANTED}"
    if stripped.startswith(b"["):
        return f"this looks like a JSON array, {_WANTED}: `jq -c '.[]' FILE` writes one a line"
    if stripped.startswith(b"{"):
        try:
            json.loads(first)
        except ValueError:
            return (
                f"this looks like one JSON document over several lines, {_WANTED}: "
                "`jq -c . FILE` writes each object on one line"
            )
        return (
            "its lines are JSON, but not mentions: each must be an X API v2 message or a "
            "Flare mention (docs/intake.md)"
        )
    if b"\t" in first:
        return f"this looks like tab-separated values, {_WANTED}"
    if b"," in first or b";" in first:
        return f"this looks like CSV, {_WANTED}"
    return f"this looks like plain text, {_WANTED}"


def _utf8(text: bytes) -> bool:
    """UTF-8, allowing a character cut in two at the end of the bytes read."""
    try:
        text.decode()
    except UnicodeDecodeError as exc:
        return exc.start >= len(text) - 3 and exc.reason == "unexpected end of data"
    return True
